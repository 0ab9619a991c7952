const NONE: ReadonlySet<string> = new Set();

// What a Connection value names, by value: upstreams answer every call with the same one ("keep-alive"), so
// each is split once. Bounded: past 64 values, the rest are split on each call.
const namedBy = new Map<string, ReadonlySet<string>>();

function connectionNames(value: string): ReadonlySet<string> {
  let names = namedBy.get(value);
  if (names) return names;
  names = new Set(value.split(',').map((name) => name.trim().toLowerCase()));
  if (namedBy.size < 64) namedBy.set(value, names);
  return names;
}

/**
 * The header names a Connection header lists are hop-by-hop as well (RFC 9110 7.6.1). Run on every call's
 * request and response headers: only a ten-letter name is lower-cased and compared. The set is shared:
 * read it, never change it.
 */
export function connectionOptions(raw: Record<string, string | string[] | undefined>): ReadonlySet<string> {
  let value: string | string[] | undefined;
  for (const k in raw) {
    const v = raw[k];
    if (k.length !== 10 || v === undefined || k.toLowerCase() !== 'connection') continue;
    value = value === undefined ? v : [value, v].flat();
  }
  if (value === undefined) return NONE;
  if (typeof value === 'string') return connectionNames(value);
  return new Set(value.flatMap((item) => [...connectionNames(item)]));
}

/**
 * What /proxy passes on from the HTTP request it received: an allowlist, because a browser adds fields of its
 * own that describe the caller's page, not the API call (Origin, Referer, Sec-Fetch-*, client hints, DNT, the
 * proxy CSRF header), and a deny-list misses the next one. Standard fields an API call carries (RFC 9110
 * content negotiation, representation metadata, conditional and range requests; Cache-Control, RFC 9111;
 * Prefer, RFC 7240; Idempotency-Key; User-Agent, which some APIs require), extension fields named `x-*` but
 * the forwarding ones and ours, and any field the caller names as `X-Connections-Header-<name>`, sent as
 * `<name>` (how vendor fields such as `Notion-Version` travel). Hop-by-hop fields and the caller's own
 * credentials are dropped afterwards by `requestHeaders`, as for invokeUrl.
 */
const PROXY_FORWARDED = new Set([
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'content-digest',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-md5',
  'content-type',
  'digest',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'idempotency-key',
  'pragma',
  'prefer',
  'range',
  'repr-digest',
  'user-agent',
  'want-content-digest',
  'want-repr-digest',
]);
const PROXY_NAMED = 'x-connections-header-';
const PROXY_NOT_EXTENSION = /^x-(forwarded-|real-ip$|connections-)/;

/** The proxied request's fields that go upstream as the caller's headers (see PROXY_FORWARDED). */
export function proxyRequestHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const hop = connectionOptions(raw);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') continue; // set-cookie only, never in a request
    const name = key.toLowerCase();
    if (hop.has(name)) continue;
    if (name.startsWith(PROXY_NAMED) && name.length > PROXY_NAMED.length)
      headers[name.slice(PROXY_NAMED.length)] = value;
    // A field named explicitly wins over one of the same name sent directly.
    else if (PROXY_FORWARDED.has(name) || (name.startsWith('x-') && !PROXY_NOT_EXTENSION.test(name)))
      headers[name] ??= value;
  }
  return headers;
}
