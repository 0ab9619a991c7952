import { AuthFlowError } from '../errors';
import { AUTH_TYPES, PARAM_TYPES, SUBDOMAIN_PLACEHOLDER, type ServiceDefinition } from '../types';
import { checkGrantRules } from './grant-rules';
import {
  type Bag,
  checkApiKeyParamName,
  checkAuthorizeParams,
  checkAuthTypeRules,
  checkTestRequest,
  checkUrl,
  HEADER_NAME,
  SCOPE_DELIMITERS,
  SIGNATURE_METHODS,
  SLUG,
  TOKEN_AUTH_METHODS,
  URL_FIELDS,
  validateScopes,
  type ValidateOptions,
  type ValidationIssue,
} from './schema-rules';

export {
  ENDPOINT_URL_FIELDS,
  RESERVED_AUTHORIZE_PARAMS,
  sampleUrl,
  validateScopes,
  type ValidateOptions,
  type ValidationIssue,
} from './schema-rules';

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
  checkApiKeyParamName(def, issues);
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
  checkAuthorizeParams(def.authorizeParams, issues);
  checkTestRequest(def.testRequest, issues, options);
}

function checkUrls(def: Bag, issues: ValidationIssue[], options: ValidateOptions): void {
  for (const field of URL_FIELDS)
    if (def[field] !== undefined)
      checkUrl(def[field], field, issues, options, field === 'docsUrl' ? 'docs' : 'endpoint');
  if (!Array.isArray(def.apiBaseUrls)) {
    issues.push({ path: 'apiBaseUrls', message: 'must be an array of URLs' });
    return;
  }
  if ((options.requireApiBaseUrls ?? true) && def.apiBaseUrls.length === 0) {
    issues.push({
      path: 'apiBaseUrls',
      message: 'must name at least one API base URL: invocations may only reach these hosts',
    });
  }
  def.apiBaseUrls.forEach((url, i) => checkUrl(url, `apiBaseUrls[${i}]`, issues, options, 'base'));
}

function checkScopeFields(def: Bag, issues: ValidationIssue[]): void {
  const delimiter =
    typeof def.scopeDelimiter === 'string' && SCOPE_DELIMITERS.includes(def.scopeDelimiter)
      ? def.scopeDelimiter
      : undefined;
  if (delimiter === undefined)
    issues.push({ path: 'scopeDelimiter', message: 'must be one of " ", ",", "+", ";"' });
  issues.push(...validateScopes(def.scopes, delimiter, 'scopes'));
  issues.push(...validateScopes(def.defaultScopes, delimiter, 'defaultScopes'));
  const scopes = Array.isArray(def.scopes) ? (def.scopes as unknown[]) : [];
  if (scopes.length > 0 && Array.isArray(def.defaultScopes)) {
    for (const scope of def.defaultScopes) {
      if (!scopes.includes(scope))
        issues.push({
          path: 'defaultScopes',
          message: `"${String(scope)}" is not among the documented scopes`,
        });
    }
  }
}

function allUrls(def: Bag): string[] {
  const urls = URL_FIELDS.map((field) => def[field]);
  if (Array.isArray(def.apiBaseUrls)) urls.push(...def.apiBaseUrls);
  urls.push((def.testRequest as Bag | undefined)?.url);
  return urls.filter((url): url is string => typeof url === 'string');
}

/**
 * Checks a service definition (a catalog entry or a custom service) and lists every problem found, in
 * the order a form would show them: name, protocol, URLs, scopes, then the optional fields.
 */
export function validateServiceDefinition(input: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof input !== 'object' || input === null) return [{ path: '', message: 'must be an object' }];
  const def = input as Bag;

  if (typeof def.slug !== 'string' || !SLUG.test(def.slug))
    issues.push({ path: 'slug', message: 'must match [a-z0-9][a-z0-9_-]{0,63}' });
  if (typeof def.displayName !== 'string' || def.displayName.trim() === '' || def.displayName.length > 80) {
    issues.push({ path: 'displayName', message: 'must be 1 to 80 characters' });
  }
  if (!AUTH_TYPES.includes(def.authType as never))
    issues.push({ path: 'authType', message: `must be one of ${AUTH_TYPES.join(', ')}` });
  if (!PARAM_TYPES.includes(def.paramType as never))
    issues.push({ path: 'paramType', message: `must be one of ${PARAM_TYPES.join(', ')}` });
  checkUrls(def, issues, options);
  checkAuthTypeRules(def, issues);
  checkGrantRules(def, issues);
  checkScopeFields(def, issues);
  checkOptionalShapes(def, issues, options);

  if (options.allowSubdomain !== false) {
    const usesPlaceholder = allUrls(def).some((url) => url.includes(SUBDOMAIN_PLACEHOLDER));
    if (usesPlaceholder && def.subdomain !== true)
      issues.push({ path: 'subdomain', message: 'must be true when a URL contains [subdomain]' });
    if (def.subdomain === true && !usesPlaceholder)
      issues.push({ path: 'subdomain', message: 'is true but no URL contains [subdomain]' });
  }
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
