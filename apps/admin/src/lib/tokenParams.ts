/**
 * The client-credentials grant's extra token-request parameters (`tokenParams`: `audience` for Auth0,
 * `resource` for RFC 8707...), edited as name/value rows. The API decides (auth-flows grant-rules.ts); these
 * mirror its rules so most mistakes show as you type.
 */

export interface TokenParamRow {
  name: string;
  value: string;
}

// The parameters the grant sets itself (auth-flows RESERVED_TOKEN_PARAMS): the API refuses them.
export const RESERVED_TOKEN_PARAMS = [
  'grant_type',
  'scope',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'code',
  'code_verifier',
  'redirect_uri',
  'refresh_token',
  'username',
  'password',
];

export const MAX_TOKEN_PARAMS = 10;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Rows with a name or a value (an empty row is a row not filled in yet, and ignored). */
const filled = (rows: TokenParamRow[]) => rows.filter((r) => r.name.trim() || r.value.trim());

/** The first problem of the rows, or null. */
export function tokenParamsProblem(rows: TokenParamRow[]): string | null {
  const seen = new Set<string>();
  const used = filled(rows);
  if (used.length > MAX_TOKEN_PARAMS) return `At most ${MAX_TOKEN_PARAMS} parameters.`;
  for (const row of used) {
    const name = row.name.trim();
    if (!name) return `Give the value "${row.value.trim().slice(0, 40)}" a name.`;
    if (!NAME.test(name)) return `"${name.slice(0, 64)}" must be 1 to 64 letters, digits, _ . -`;
    if (RESERVED_TOKEN_PARAMS.includes(name)) return `${name} is set by the grant itself.`;
    if (!row.value.trim()) return `${name} needs a value.`;
    if (row.value.trim().length > 500) return `${name}: at most 500 characters.`;
    if (seen.has(name)) return `${name} is given twice.`;
    seen.add(name);
  }
  return null;
}

/** The rows as the API's map (trimmed; empty rows left out). */
export function tokenParamsMap(rows: TokenParamRow[]): Record<string, string> {
  return Object.fromEntries(filled(rows).map((r) => [r.name.trim(), r.value.trim()]));
}

/** A stored map back to rows, in the order the API returned it. */
export function tokenParamRows(params: unknown): TokenParamRow[] {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return [];
  return Object.entries(params as Record<string, unknown>).map(([name, value]) => ({
    name,
    value: String(value),
  }));
}
