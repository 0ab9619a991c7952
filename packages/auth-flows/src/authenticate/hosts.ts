import type { ServiceDefinition } from '../types';

/** The URL when it is an absolute http(s) URL without credentials. */
function parse(url: string | URL): URL | undefined {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  if (parsed.username || parsed.password) return undefined;
  return parsed;
}

// A service's base URLs are few and checked on every call: each is parsed once. Bounded (the oldest out
// first) so that base URLs from deleted services or other workspaces do not accumulate.
const MAX_BASES = 1024;
const bases = new Map<string, URL | undefined>();

function parseBase(base: string): URL | undefined {
  if (bases.has(base)) return bases.get(base);
  if (bases.size >= MAX_BASES) bases.delete(bases.keys().next().value!);
  const parsed = base.includes('[subdomain]') ? undefined : parse(base);
  bases.set(base, parsed);
  return parsed;
}

// Percent-decodes once, leniently: a malformed escape stays as it is (as the WHATWG parser left it).
const decodeOnce = (s: string) =>
  s.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** RFC 3986 section 5.2.4's remove_dot_segments, on a path that starts with "/". */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '..') out.pop();
    if (segment === '.' || segment === '..') {
      if (last) out.push('');
    } else out.push(segment);
  });
  return `/${out.join('/')}`;
}

const SPECIAL_IN_PATH = /[%\\;]/;

/**
 * Every way a server may read a path the WHATWG parser has normalised (it already removed `.` and `..`,
 * `%2e` spellings included): as sent, and once per decoding layer (a server, then a gateway before it),
 * with a decoded `%2f` or `%5c` (or a backslash) as a slash and a `;` path parameter dropped (`..;/` is
 * `../` to Tomcat-style servers), each with its dot segments removed.
 */
function readings(pathname: string): string[] {
  // Nothing to decode, no backslash, no path parameter: the parser's path is the only reading.
  if (!SPECIAL_IN_PATH.test(pathname)) return [pathname];
  const out: string[] = [pathname];
  let current = pathname;
  for (let layer = 0; layer < 3; layer++) {
    const decoded = decodeOnce(current);
    const read = decoded.replace(/\\/g, '/').replace(/;[^/]*/g, '');
    out.push(removeDotSegments(read.startsWith('/') ? read : `/${read}`));
    if (decoded === current) break;
    current = decoded;
  }
  return out;
}

/** The path an API base URL confines calls to: its normalised path, ending in "/". */
function basePath(base: URL): string {
  return base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
}

/**
 * Why a URL is outside the service's API base URLs, or undefined when credentials may go to it. The
 * origin (scheme, host and port) must be one of theirs, which keeps `api.example.com.evil.net` and an
 * http downgrade out; and a base URL with a path confines calls under that path (`https://h/v1/` allows
 * `/v1` and `/v1/...`, never `/v1x` or `/metrics`) in every reading a server may make of it: an encoded
 * slash that stays under the path is fine (GitLab's `projects/group%2Fproject`), one that climbs out
 * (`..%2f..%2fmetrics`) is not. Templated base URLs never match: resolve the subdomain first.
 */
export function urlRefusal(
  service: Pick<ServiceDefinition, 'apiBaseUrls'>,
  url: string | URL,
): string | undefined {
  const target = parse(url);
  if (!target) return 'it is not an absolute http(s) URL without credentials';
  const origin = target.origin;
  const sameOrigin = service.apiBaseUrls
    .map(parseBase)
    .filter((base): base is URL => !!base && base.origin === origin);
  if (sameOrigin.length === 0) return `${target.host} is not one of its API hosts`;
  const paths = readings(target.pathname);
  const under = sameOrigin.some((base) => {
    const prefix = basePath(base);
    return paths.every((p) => p.startsWith(prefix) || `${p}/` === prefix);
  });
  if (!under)
    return `${target.pathname.slice(0, 200)} is outside its API base URL path${sameOrigin.length > 1 ? 's' : ''} (${sameOrigin.map(basePath).join(', ')})`;
  return undefined;
}

/** True when credentials may be attached to the URL: see `urlRefusal`. */
export function isAllowedUrl(service: Pick<ServiceDefinition, 'apiBaseUrls'>, url: string): boolean {
  return urlRefusal(service, url) === undefined;
}
