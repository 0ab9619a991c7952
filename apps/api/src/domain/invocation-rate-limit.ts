/** A provider's rate-limit figures, as its response headers give them (any of them may be missing). */
export interface RateLimit {
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
}

type Headers = Record<string, string | string[]>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
/** The first whole number in a field (`100`, `100, 100;w=60` in the drafts' list form), or null. */
const leadingNumber = (v: string | string[] | undefined): number | null => {
  if (v === undefined) return null;
  const m = /^\s*(\d+)/.exec(first(v) ?? '');
  return m ? Number(m[1]) : null;
};

// The field names, spelt once rather than on every call.
const PREFIXED = ['ratelimit-', 'x-ratelimit-', 'x-rate-limit-'].map(
  (prefix) => [prefix, [`${prefix}limit`, `${prefix}remaining`, `${prefix}reset`]] as const,
);

/**
 * The figures from the headers providers send: the IETF draft's `RateLimit` + `RateLimit-Policy` structured
 * fields (draft-ietf-httpapi-ratelimit-headers-07 and later: `"name";r=<remaining>;t=<seconds>` and
 * `"name";q=<quota>;w=<window>`), its earlier `RateLimit-Limit/Remaining/Reset` fields (reset in seconds),
 * and the de-facto `X-RateLimit-*` (also `X-Rate-Limit-*`). Null when there are none.
 */
export function rateLimitOf(headers: Headers, now = Date.now()): RateLimit | null {
  if (headers['ratelimit'] !== undefined) return structured(headers, now);
  for (const [prefix, names] of PREFIXED) {
    const limit = leadingNumber(headers[names[0]]);
    const remaining = leadingNumber(headers[names[1]]);
    const reset = leadingNumber(headers[names[2]]);
    if (limit === null && remaining === null && reset === null) continue;
    const resetAt =
      reset === null ? null : new Date(prefix === 'ratelimit-' ? now + reset * 1000 : resetOf(reset, now));
    return { limit, remaining, resetAt };
  }
  return null;
}

/**
 * X-RateLimit-Reset is a Unix time in seconds for most providers (GitHub, Twitter), in milliseconds for a
 * few, and seconds from now for others (Okta's is a time, Discord's `-After` is a delay): a value that cannot
 * be a time this century is a delay.
 */
function resetOf(value: number, now: number): number {
  if (value > 1e12) return value;
  if (value > 1e9) return value * 1000;
  return now + value * 1000;
}

/** RFC 8941 list members with their parameters: `"default";r=50;t=30, "daily";r=900;t=3600`. */
function members(field: string | string[] | undefined): { name: string; params: Record<string, number> }[] {
  const text = Array.isArray(field) ? field.join(',') : (field ?? '');
  return text
    .split(',')
    .map((member) => {
      const [name = '', ...params] = member.split(';').map((p) => p.trim());
      const parsed: Record<string, number> = {};
      for (const p of params) {
        const [k, v] = p.split('=');
        if (k && v !== undefined && /^\d+$/.test(v)) parsed[k] = Number(v);
      }
      return { name: name.replace(/^"|"$/g, ''), params: parsed };
    })
    .filter((m) => m.name !== '' || Object.keys(m.params).length > 0);
}

function structured(headers: Headers, now: number): RateLimit | null {
  const [current] = members(headers['ratelimit']);
  if (!current) return null;
  const policies = members(headers['ratelimit-policy']);
  const policy = policies.find((p) => p.name === current.name) ?? policies[0];
  const { r, t } = current.params;
  return {
    limit: policy?.params['q'] ?? null,
    remaining: r ?? null,
    resetAt: t === undefined ? null : new Date(now + t * 1000),
  };
}
