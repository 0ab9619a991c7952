import { SUBDOMAIN_PLACEHOLDER } from '../types';

// The field-level rules of a service definition, each naming the field it refuses; schema.ts composes them.
export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** Catalog entries must name their API hosts; grant-only entries may not know them. Default true. */
  requireApiBaseUrls?: boolean;
  /** Allow plain http URLs (custom services on a private network, tests). Default false. */
  allowHttp?: boolean;
  /**
   * Allow the `[subdomain]` placeholder in URLs. Default true. A custom service has no per-connection
   * subdomain, so there the placeholder is reported on the URL that carries it.
   */
  allowSubdomain?: boolean;
}

export const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const HEADER_PARAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
// Query and form names may carry brackets (`auth[key]`); a header name may not (RFC 9110 section 5.6.2).
export const PARAM_NAME = /^[A-Za-z0-9_.\-[\]]{1,128}$/;
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
export const SCOPE_DELIMITERS = [' ', ',', '+', ';'];
export const AUTHORIZE_PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_URL_LENGTH = 2048;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
export const TOKEN_AUTH_METHODS = ['client_secret_post', 'client_secret_basic'];
export const SIGNATURE_METHODS = ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT', 'RSA-SHA1'];
/** The protocol endpoints of a definition (what a custom service's author types in). */
export const ENDPOINT_URL_FIELDS = [
  'authorizeUrl',
  'accessTokenUrl',
  'requestTokenUrl',
  'refreshUrl',
  'revokeUrl',
  'profileUrl',
] as const;
export const URL_FIELDS = [...ENDPOINT_URL_FIELDS, 'docsUrl'] as const;
// revokeUrl is not among them: a BASIC or API_KEY service may name where its credentials are revoked.
export const OAUTH_ONLY_FIELDS = [
  'authorizeUrl',
  'accessTokenUrl',
  'requestTokenUrl',
  'refreshUrl',
  'profileUrl',
  'tokenEndpointAuthMethod',
  'pkce',
  'oauth1SignatureMethod',
  'authorizeParams',
] as const;
/**
 * grant copies custom parameters over its own after computing state and PKCE, so one of these in
 * authorizeParams would silently replace the CSRF and PKCE protection or the client identity.
 */
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

export type Bag = Record<string, unknown>;
/** base: an API base URL (no query); docs: a page for people (a #section is fine); endpoint: the rest. */
export type UrlKind = 'endpoint' | 'base' | 'docs';

/** Replaces the placeholder with a sample label so templates can be parsed like real URLs. */
export function sampleUrl(template: string): string {
  return template.split(SUBDOMAIN_PLACEHOLDER).join('example');
}

export function checkUrl(
  value: unknown,
  path: string,
  issues: ValidationIssue[],
  options: ValidateOptions,
  kind: UrlKind = 'endpoint',
): void {
  if (typeof value !== 'string' || value === '') {
    issues.push({ path, message: 'must be a non-empty URL string' });
    return;
  }
  if (value.length > MAX_URL_LENGTH) {
    issues.push({ path, message: `must be at most ${MAX_URL_LENGTH} characters` });
    return;
  }
  if (options.allowSubdomain === false && value.includes(SUBDOMAIN_PLACEHOLDER)) {
    issues.push({
      path,
      message: `must not contain ${SUBDOMAIN_PLACEHOLDER}: this service has no subdomain`,
    });
    return;
  }
  let url: URL;
  try {
    url = new URL(sampleUrl(value));
  } catch {
    issues.push({ path, message: `is not a valid absolute URL: "${value.slice(0, 100)}"` });
    return;
  }
  const protocols = options.allowHttp ? ['https', 'http'] : ['https'];
  const protocol = url.protocol.slice(0, -1);
  if (!protocols.includes(protocol))
    issues.push({ path, message: `must use ${protocols.join(' or ')}, not ${protocol}` });
  if (url.username || url.password) issues.push({ path, message: 'must not contain credentials' });
  if (kind === 'base' && url.search) issues.push({ path, message: 'an API base URL has no query' });
  if (kind !== 'docs' && url.hash) issues.push({ path, message: 'must not contain a #fragment' });
}

/**
 * Checks a list of scopes (already trimmed) against RFC 6749's scope-token and the delimiter that will
 * join them; each issue names its scope, so a host may report them all at the list's path.
 */
export function validateScopes(value: unknown, delimiter: unknown, path = 'scopes'): ValidationIssue[] {
  if (!Array.isArray(value)) return [{ path, message: 'must be an array of scope strings' }];
  const joiner = typeof delimiter === 'string' ? delimiter.trim() : '';
  const issues: ValidationIssue[] = [];
  value.forEach((scope: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof scope !== 'string')
      issues.push({ path: at, message: 'contains a value that is not a string' });
    else if (scope === '') issues.push({ path: at, message: 'must not contain empty scopes' });
    else if (scope.length > 200)
      issues.push({ path: at, message: `"${scope.slice(0, 40)}..." is longer than 200 characters` });
    else if (!SCOPE_TOKEN.test(scope) || (joiner && scope.includes(joiner)))
      issues.push({
        path: at,
        message: `"${scope}" must be printable ASCII without white space, quotes, backslashes or the delimiter`,
      });
  });
  return issues;
}

export function checkAuthTypeRules(def: Bag, issues: ValidationIssue[]): void {
  const need = (field: string, why: string) => {
    if (def[field] === undefined || def[field] === '')
      issues.push({ path: field, message: `is required ${why}` });
  };
  switch (def.authType) {
    case 'OAUTH2':
      // The client credentials grant has no browser step (checkGrantRules).
      if (def.grantType !== 'client_credentials') need('authorizeUrl', 'for OAuth 2.0');
      need('accessTokenUrl', 'for OAuth 2.0');
      break;
    case 'OAUTH1':
      need('requestTokenUrl', 'for OAuth 1.0a');
      need('authorizeUrl', 'for OAuth 1.0a');
      need('accessTokenUrl', 'for OAuth 1.0a');
      break;
    case 'API_KEY':
      need('apiKeyParamName', 'for API key services');
      break;
    default:
      break;
  }
  if (def.authType === 'BASIC' || def.authType === 'API_KEY') {
    for (const field of OAUTH_ONLY_FIELDS) {
      if (def[field] !== undefined) issues.push({ path: field, message: `only applies to OAuth services` });
    }
  }
  // PKCE and the token endpoint's client authentication are OAuth 2.0 (RFC 7636, RFC 6749 2.3.1).
  for (const field of ['pkce', 'tokenEndpointAuthMethod'])
    if (def.authType === 'OAUTH1' && def[field] !== undefined)
      issues.push({ path: field, message: 'only applies to OAuth 2.0 services' });
  if (def.pkce !== undefined && typeof def.pkce !== 'boolean')
    issues.push({ path: 'pkce', message: 'must be true or false' });
  if (def.authType !== 'OAUTH1' && def.oauth1SignatureMethod !== undefined) {
    issues.push({ path: 'oauth1SignatureMethod', message: 'only applies to OAuth 1.0a services' });
  }
  if (def.authType !== 'API_KEY' && def.apiKeyParamName !== undefined) {
    issues.push({ path: 'apiKeyParamName', message: 'only applies to API key services' });
  }
  // Decided for issue 14: Basic means RFC 7617's Authorization header, nothing else. A password in a query
  // string is written to server, proxy and browser logs (RFC 9110 17.9: URIs are not private), and no
  // standard or common convention names the parameters, so any choice here would be a guess per API.
  if (def.authType === 'BASIC' && def.paramType !== 'HEADERS') {
    issues.push({
      path: 'paramType',
      message:
        'must be HEADERS: Basic credentials travel in the Authorization header (RFC 7617); a password in a ' +
        'query string or form body would be written to server and proxy logs',
    });
  }
}

export function checkApiKeyParamName(def: Bag, issues: ValidationIssue[]): void {
  const name = def.apiKeyParamName;
  if (name === undefined || def.authType !== 'API_KEY') return;
  const header = def.paramType === 'HEADERS';
  if (typeof name !== 'string' || !(header ? HEADER_PARAM_NAME : PARAM_NAME).test(name))
    issues.push({
      path: 'apiKeyParamName',
      message: `must be 1 to 128 letters, digits, _ . -${header ? '' : ' [ ]'}`,
    });
}

/**
 * Extra authorize-request parameters: a small map of strings, never one the flow sets itself. Not for
 * secrets: they travel in the browser's URL.
 */
export function checkAuthorizeParams(params: unknown, issues: ValidationIssue[]): void {
  if (params === undefined) return;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    issues.push({ path: 'authorizeParams', message: 'must be a map of parameter names to strings' });
    return;
  }
  const entries = Object.entries(params);
  if (entries.length > 20)
    issues.push({ path: 'authorizeParams', message: 'must have at most 20 parameters' });
  for (const [key, value] of entries) {
    if (!AUTHORIZE_PARAM_NAME.test(key))
      issues.push({
        path: 'authorizeParams',
        message: `"${key.slice(0, 64)}" must be 1 to 64 letters, digits, _ . -`,
      });
    else if (RESERVED_AUTHORIZE_PARAMS.includes(key))
      issues.push({ path: `authorizeParams.${key}`, message: `"${key}" is set by the flow itself` });
    else if (typeof value !== 'string' || value.length > 500)
      issues.push({
        path: `authorizeParams.${key}`,
        message: `"${key}" must be a string of at most 500 characters`,
      });
  }
}

export function checkTestRequest(test: unknown, issues: ValidationIssue[], options: ValidateOptions): void {
  if (test === undefined) return;
  if (typeof test !== 'object' || test === null) {
    issues.push({ path: 'testRequest', message: 'must be an object' });
    return;
  }
  const { method, url, expectStatus } = test as Bag;
  if (!HTTP_METHODS.includes(String(method).toUpperCase()))
    issues.push({ path: 'testRequest.method', message: 'must be an HTTP method' });
  if (typeof url !== 'string' || url === '') issues.push({ path: 'testRequest.url', message: 'is required' });
  else if (/^[a-z][a-z0-9+.-]*:/i.test(url)) checkUrl(url, 'testRequest.url', issues, options);
  if (
    expectStatus !== undefined &&
    (!Array.isArray(expectStatus) || expectStatus.some((s) => !Number.isInteger(s) || s < 100 || s > 599))
  ) {
    issues.push({ path: 'testRequest.expectStatus', message: 'must be a list of HTTP status codes' });
  }
}
