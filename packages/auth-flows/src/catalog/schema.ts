import { AuthFlowError } from '../errors';
import { AUTH_TYPES, PARAM_TYPES, SUBDOMAIN_PLACEHOLDER, type ServiceDefinition } from '../types';

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** Catalog entries must name their API hosts; grant-only entries may not know them. Default true. */
  requireApiBaseUrls?: boolean;
  /** Allow plain http URLs (custom services on a private network, tests). Default false. */
  allowHttp?: boolean;
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const TOKEN_AUTH_METHODS = ['client_secret_post', 'client_secret_basic'];
const SIGNATURE_METHODS = ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT', 'RSA-SHA1'];
const URL_FIELDS = [
  'authorizeUrl',
  'accessTokenUrl',
  'requestTokenUrl',
  'refreshUrl',
  'revokeUrl',
  'profileUrl',
  'docsUrl',
] as const;
const OAUTH_ONLY_FIELDS = [
  'authorizeUrl',
  'accessTokenUrl',
  'requestTokenUrl',
  'refreshUrl',
  'revokeUrl',
  'profileUrl',
  'tokenEndpointAuthMethod',
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

type Bag = Record<string, unknown>;

/** Replaces the placeholder with a sample label so templates can be parsed like real URLs. */
export function sampleUrl(template: string): string {
  return template.split(SUBDOMAIN_PLACEHOLDER).join('example');
}

function checkUrl(
  value: unknown,
  path: string,
  issues: ValidationIssue[],
  options: ValidateOptions,
  base = false,
): void {
  if (typeof value !== 'string' || value === '') {
    issues.push({ path, message: 'must be a non-empty URL string' });
    return;
  }
  let url: URL;
  try {
    url = new URL(sampleUrl(value));
  } catch {
    issues.push({ path, message: 'is not a valid absolute URL' });
    return;
  }
  const protocols = options.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!protocols.includes(url.protocol)) issues.push({ path, message: `must use ${protocols.join(' or ')}` });
  if (url.username || url.password) issues.push({ path, message: 'must not contain credentials' });
  if (base && (url.search || url.hash))
    issues.push({ path, message: 'an API base URL has no query or fragment' });
}

function checkScopes(value: unknown, path: string, issues: ValidationIssue[]): string[] {
  if (!Array.isArray(value)) {
    issues.push({ path, message: 'must be an array of scope strings' });
    return [];
  }
  value.forEach((scope, i) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      issues.push({ path: `${path}[${i}]`, message: 'must be a non-empty scope without spaces or quotes' });
    }
  });
  return value.filter((scope): scope is string => typeof scope === 'string');
}

function checkRequired(def: Bag, issues: ValidationIssue[]): void {
  const need = (field: string, why: string) => {
    if (def[field] === undefined || def[field] === '')
      issues.push({ path: field, message: `is required ${why}` });
  };
  switch (def.authType) {
    case 'OAUTH2':
      need('authorizeUrl', 'for OAuth 2.0');
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
  if (def.authType !== 'OAUTH1' && def.oauth1SignatureMethod !== undefined) {
    issues.push({ path: 'oauth1SignatureMethod', message: 'only applies to OAuth 1.0a services' });
  }
}

function checkOptionalShapes(def: Bag, issues: ValidationIssue[], options: ValidateOptions): void {
  if (
    def.tokenEndpointAuthMethod !== undefined &&
    !TOKEN_AUTH_METHODS.includes(def.tokenEndpointAuthMethod as string)
  ) {
    issues.push({
      path: 'tokenEndpointAuthMethod',
      message: `must be one of ${TOKEN_AUTH_METHODS.join(', ')}`,
    });
  }
  if (
    def.oauth1SignatureMethod !== undefined &&
    !SIGNATURE_METHODS.includes(def.oauth1SignatureMethod as string)
  ) {
    issues.push({ path: 'oauth1SignatureMethod', message: `must be one of ${SIGNATURE_METHODS.join(', ')}` });
  }
  if (def.apiKeyParamName !== undefined) {
    const name = def.apiKeyParamName;
    const valid =
      typeof name === 'string' && (def.paramType === 'HEADERS' ? HEADER_NAME.test(name) : name.trim() !== '');
    if (!valid)
      issues.push({ path: 'apiKeyParamName', message: 'must be a valid parameter name for the param type' });
  }
  if (
    def.apiKeyPrefix !== undefined &&
    (typeof def.apiKeyPrefix !== 'string' || /[\r\n]/.test(def.apiKeyPrefix))
  ) {
    issues.push({ path: 'apiKeyPrefix', message: 'must be a single-line string' });
  }
  const header = def.accessTokenHeader as Bag | undefined;
  if (
    header !== undefined &&
    (typeof header !== 'object' ||
      header === null ||
      typeof header.name !== 'string' ||
      !HEADER_NAME.test(header.name))
  ) {
    issues.push({ path: 'accessTokenHeader.name', message: 'must be a valid header name' });
  }
  const params = def.authorizeParams as Bag | undefined;
  if (params !== undefined) {
    if (typeof params !== 'object' || params === null) {
      issues.push({ path: 'authorizeParams', message: 'must be a map of strings' });
    } else {
      for (const [key, value] of Object.entries(params)) {
        if (typeof value !== 'string')
          issues.push({ path: `authorizeParams.${key}`, message: 'must be a string' });
        if (RESERVED_AUTHORIZE_PARAMS.includes(key))
          issues.push({ path: `authorizeParams.${key}`, message: 'is set by the flow itself' });
      }
    }
  }
  const test = def.testRequest as Bag | undefined;
  if (test !== undefined) {
    if (typeof test !== 'object' || test === null) {
      issues.push({ path: 'testRequest', message: 'must be an object' });
    } else {
      if (!HTTP_METHODS.includes(String(test.method).toUpperCase()))
        issues.push({ path: 'testRequest.method', message: 'must be an HTTP method' });
      if (typeof test.url !== 'string' || test.url === '')
        issues.push({ path: 'testRequest.url', message: 'is required' });
      else if (/^[a-z][a-z0-9+.-]*:/i.test(test.url)) checkUrl(test.url, 'testRequest.url', issues, options);
      const statuses = test.expectStatus;
      if (
        statuses !== undefined &&
        (!Array.isArray(statuses) || statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599))
      ) {
        issues.push({ path: 'testRequest.expectStatus', message: 'must be a list of HTTP status codes' });
      }
    }
  }
}

function allUrls(def: Bag): string[] {
  const urls = URL_FIELDS.map((field) => def[field]);
  if (Array.isArray(def.apiBaseUrls)) urls.push(...def.apiBaseUrls);
  urls.push((def.testRequest as Bag | undefined)?.url);
  return urls.filter((url): url is string => typeof url === 'string');
}

/** Checks a service definition (a catalog entry or a custom service) and lists every problem found. */
export function validateServiceDefinition(input: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof input !== 'object' || input === null) return [{ path: '', message: 'must be an object' }];
  const def = input as Bag;

  if (typeof def.slug !== 'string' || !SLUG.test(def.slug))
    issues.push({ path: 'slug', message: 'must match [a-z0-9][a-z0-9_-]{0,63}' });
  if (typeof def.displayName !== 'string' || def.displayName.trim() === '' || def.displayName.length > 100) {
    issues.push({ path: 'displayName', message: 'must be a non-empty string of at most 100 characters' });
  }
  if (!AUTH_TYPES.includes(def.authType as never))
    issues.push({ path: 'authType', message: `must be one of ${AUTH_TYPES.join(', ')}` });
  if (!PARAM_TYPES.includes(def.paramType as never))
    issues.push({ path: 'paramType', message: `must be one of ${PARAM_TYPES.join(', ')}` });
  checkRequired(def, issues);

  for (const field of URL_FIELDS) if (def[field] !== undefined) checkUrl(def[field], field, issues, options);
  if (!Array.isArray(def.apiBaseUrls)) {
    issues.push({ path: 'apiBaseUrls', message: 'must be an array of URLs' });
  } else {
    def.apiBaseUrls.forEach((url, i) => checkUrl(url, `apiBaseUrls[${i}]`, issues, options, true));
    if ((options.requireApiBaseUrls ?? true) && def.apiBaseUrls.length === 0) {
      issues.push({ path: 'apiBaseUrls', message: 'must name at least one API base URL' });
    }
  }

  const scopes = checkScopes(def.scopes, 'scopes', issues);
  const defaults = checkScopes(def.defaultScopes, 'defaultScopes', issues);
  if (scopes.length > 0) {
    for (const scope of defaults) {
      if (!scopes.includes(scope))
        issues.push({ path: 'defaultScopes', message: `"${scope}" is not among the documented scopes` });
    }
  }
  if (
    typeof def.scopeDelimiter !== 'string' ||
    def.scopeDelimiter.length === 0 ||
    def.scopeDelimiter.length > 3
  ) {
    issues.push({ path: 'scopeDelimiter', message: 'must be a string of 1 to 3 characters' });
  }
  checkOptionalShapes(def, issues, options);

  const usesPlaceholder = allUrls(def).some((url) => url.includes(SUBDOMAIN_PLACEHOLDER));
  if (usesPlaceholder && def.subdomain !== true)
    issues.push({ path: 'subdomain', message: 'must be true when a URL contains [subdomain]' });
  if (def.subdomain === true && !usesPlaceholder)
    issues.push({ path: 'subdomain', message: 'is true but no URL contains [subdomain]' });
  return issues;
}

/** Throws INVALID_SERVICE naming every problem; for hosts accepting custom services from users. */
export function assertValidServiceDefinition(
  input: unknown,
  options: ValidateOptions = {},
): asserts input is ServiceDefinition {
  const issues = validateServiceDefinition(input, options);
  if (issues.length > 0) {
    const detail = issues.map((issue) => `${issue.path || 'service'} ${issue.message}`).join('; ');
    throw new AuthFlowError('INVALID_SERVICE', `Invalid service definition: ${detail}`);
  }
}
