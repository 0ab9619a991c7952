import { AUTHORIZE_PARAM_NAME, type Bag, type ValidationIssue } from './schema-rules';

/**
 * Parameters the grant sets itself (RFC 6749 sections 4.4.2 and 2.3.1): a `tokenParams` entry with one of
 * these names would replace the grant type, the requested scope or the client's identity.
 */
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

export const GRANT_TYPES = ['authorization_code', 'client_credentials'];

/**
 * The browser's part of OAuth 2.0 and the refresh token's endpoint: the client credentials grant (RFC 6749
 * section 4.4) has no user, so no authorize request, no PKCE, no account to read a profile of, and no refresh
 * token (a new token is requested at the access token URL). Stating one of them is a mistake to name.
 */
const NOT_FOR_CLIENT_CREDENTIALS = ['authorizeUrl', 'authorizeParams', 'pkce', 'profileUrl', 'refreshUrl'];

/** The grant of an OAUTH2 definition and what goes with it: tokenParams only for client credentials. */
export function checkGrantRules(def: Bag, issues: ValidationIssue[]): void {
  const grant = def.grantType;
  if (grant !== undefined && !GRANT_TYPES.includes(grant as string))
    issues.push({ path: 'grantType', message: `must be one of ${GRANT_TYPES.join(', ')}` });
  if (grant !== undefined && def.authType !== 'OAUTH2')
    issues.push({ path: 'grantType', message: 'only applies to OAuth 2.0 services' });
  const clientCredentials = def.authType === 'OAUTH2' && grant === 'client_credentials';
  if (clientCredentials)
    for (const field of NOT_FOR_CLIENT_CREDENTIALS)
      if (def[field] !== undefined)
        issues.push({ path: field, message: 'does not apply to the client credentials grant' });
  if (def.tokenParams === undefined) return;
  if (!clientCredentials) {
    issues.push({ path: 'tokenParams', message: 'only applies to the client credentials grant' });
    return;
  }
  checkTokenParams(def.tokenParams, issues);
}

/** A small map of non-secret strings, none of them a parameter the grant sets itself. */
function checkTokenParams(params: unknown, issues: ValidationIssue[]): void {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    issues.push({ path: 'tokenParams', message: 'must be a map of parameter names to strings' });
    return;
  }
  const entries = Object.entries(params);
  if (entries.length > 10) issues.push({ path: 'tokenParams', message: 'must have at most 10 parameters' });
  for (const [key, value] of entries) {
    if (!AUTHORIZE_PARAM_NAME.test(key))
      issues.push({
        path: 'tokenParams',
        message: `"${key.slice(0, 64)}" must be 1 to 64 letters, digits, _ . -`,
      });
    else if (RESERVED_TOKEN_PARAMS.includes(key))
      issues.push({ path: `tokenParams.${key}`, message: `"${key}" is set by the grant itself` });
    else if (typeof value !== 'string' || value.length > 500)
      issues.push({
        path: `tokenParams.${key}`,
        message: `"${key}" must be a string of at most 500 characters`,
      });
  }
}
