// Types and errors
export * from './types';
export { AuthFlowError, isAuthFlowError, type AuthFlowErrorCode, type AuthFlowErrorOptions } from './errors';

// Catalog
export { catalog, findCatalogEntry, featuredSlugs } from './catalog';
export { logoOfIcon, type Logo } from './catalog/logos';
export {
  validateServiceDefinition,
  assertValidServiceDefinition,
  validateScopes,
  ENDPOINT_URL_FIELDS,
  RESERVED_AUTHORIZE_PARAMS,
  type ValidationIssue,
  type ValidateOptions,
} from './catalog/schema';
export { resolveSubdomain, hasUnresolvedSubdomain } from './catalog/subdomain';

// Applying credentials
export { authenticate, type AuthenticateOptions } from './authenticate/authenticate';
export {
  testCredentials,
  buildTestRequest,
  type TestCredentialsOptions,
  type TestCredentialsResult,
} from './authenticate/test-credentials';
export { isAllowedUrl, urlRefusal } from './authenticate/hosts';
export {
  oauth1ProtocolParams,
  signatureBaseString,
  baseStringUri,
  normalizeParameters,
  computeSignature,
  authorizationHeader,
  type OAuth1Keys,
  type OAuth1SignOptions,
  type OAuth1SignInput,
} from './sign/oauth1';
export { percentEncode } from './sign/percent';

// Refresh
export { refreshOAuth2, type RefreshOptions } from './refresh/refresh-oauth2';
export {
  requestClientCredentialsToken,
  usesClientCredentials,
  clientCredentialsParameters,
} from './refresh/client-credentials';
export { RESERVED_TOKEN_PARAMS, GRANT_TYPES } from './catalog/grant-rules';
export {
  needsRefresh,
  refreshDueAt,
  refreshLeadMs,
  isExpired,
  DEFAULT_REFRESH_MARGIN_MS,
  DEFAULT_CLOCK_SKEW_MS,
  DEFAULT_LIFETIME_FRACTION,
  type FreshnessOptions,
} from './refresh/needs-refresh';
export {
  refreshBackoffMs,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
  type RefreshBackoffOptions,
} from './refresh/backoff';
export {
  RefreshCoordinator,
  type RefreshCoordinatorOptions,
  type EnsureFreshInput,
  type EnsureFreshResult,
} from './refresh/coordinator';
export { InMemoryLock, type Lock, type InMemoryLockOptions } from './refresh/lock';
export { TERMINAL_OAUTH_ERRORS, TRANSIENT_OAUTH_ERRORS } from './refresh/classify';
export { parseScopes, missingScopes } from './scopes';

// Authorization flows (grant on Express)
export { createAuthRouter, type AuthRouterOptions } from './flows/router';
export { redirectUriFor, connectUrlFor } from './flows/flow-urls';
export type { FlowStateStore } from './flows/attempt-session-store';
export type { AttemptConfig } from './flows/grant-config';
export {
  normalizeGrantResponse,
  accountFrom,
  type FlowOutcome,
  type GrantResponse,
  type NormalizeInput,
} from './flows/normalize';
export { requestOAuthSignsPortsCorrectly } from './flows/request-oauth-check';

// Revocation (RFC 7009)
export { revokeCredentials, type RevokeOptions, type RevokeResult } from './revoke/revoke';
