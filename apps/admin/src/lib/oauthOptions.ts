import type { TokenEndpointAuthMethod } from '../generated/graphql';

/**
 * The custom-service form's OAuth 2.0 options: extra authorize parameters typed one `name=value` per line,
 * the token endpoint's client authentication, PKCE. The API decides (auth-flows' validator); these mirror its
 * rules so most mistakes show as you type.
 */

// The parameters the flow sets itself (auth-flows RESERVED_AUTHORIZE_PARAMS): the API refuses them.
export const RESERVED_AUTHORIZE_PARAMS = [
  'client_id',
  'client_secret',
  'redirect_uri',
  'response_type',
  'state',
  'nonce',
  'scope',
  'code_challenge',
  'code_challenge_method',
  'oauth_token',
  'oauth_callback',
];

export const TOKEN_AUTH_METHODS: { value: TokenEndpointAuthMethod | ''; label: string }[] = [
  { value: '', label: 'Default (client_secret_post)' },
  { value: 'CLIENT_SECRET_BASIC', label: 'HTTP Basic (client_secret_basic)' },
  { value: 'CLIENT_SECRET_POST', label: 'In the form body (client_secret_post)' },
];

export type ParsedParams = { params: Record<string, string>; error: string | null };

/** `name=value` lines to a map; blank lines are skipped, the first `=` splits, a repeated name is an error. */
export function parseAuthorizeParams(text: string): ParsedParams {
  const params: Record<string, string> = {};
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf('=');
    const name = (at < 0 ? line : line.slice(0, at)).trim();
    const value = at < 0 ? '' : line.slice(at + 1).trim();
    const where = `Line ${i + 1}`;
    if (!name || at < 0) return { params, error: `${where}: write name=value, e.g. prompt=consent.` };
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
      return { params, error: `${where}: "${name}" must be letters, digits, _ . - (at most 64).` };
    if (RESERVED_AUTHORIZE_PARAMS.includes(name.toLowerCase()))
      return { params, error: `${where}: ${name} is set by the flow itself.` };
    if (!value) return { params, error: `${where}: ${name} needs a value.` };
    if (name in params) return { params, error: `${where}: ${name} is given twice.` };
    params[name] = value;
  }
  return { params, error: null };
}

/** A stored map back to lines, in the order the API returned it. */
export function formatAuthorizeParams(params: unknown): string {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return '';
  return Object.entries(params as Record<string, unknown>)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n');
}
