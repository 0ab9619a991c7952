import { AuthFlowError } from '../errors';
import { grantOAuthConfig } from '../catalog/grant-source';
import { RESERVED_AUTHORIZE_PARAMS } from '../catalog/schema';
import { hasUnresolvedSubdomain, resolveSubdomain } from '../catalog/subdomain';
import type { ClientCredentials, ServiceDefinition } from '../types';

/** Generic grant providers for services grant does not know: no name-based quirks apply to them. */
export const GENERIC_OAUTH2 = 'connections_oauth2';
export const GENERIC_OAUTH1 = 'connections_oauth1';

export interface AttemptConfig {
  service: ServiceDefinition;
  client: ClientCredentials;
  /** Scopes to request; the service's default scopes when empty. */
  scopes: string[];
  subdomain?: string;
}

/**
 * grant's configuration for a run on `provider` (a name from grantProviderName): that provider alone is
 * declared, statically, and it does not enable `dynamic`: grant then ignores overrides from the query string
 * and the body, and only the per-attempt state override (res.locals.grant) can set client credentials and
 * URLs. A name grant does not know declares nothing, and grant refuses the run.
 */
export function staticGrantConfig(prefix: string, provider: string): Record<string, unknown> {
  const config: Record<string, unknown> = {
    defaults: {
      prefix,
      state: true,
      pkce: true,
      response: ['tokens', 'raw', 'profile'],
      // The result stays in res.locals: never in a redirect URL, never in the session.
      transport: 'state',
    },
  };
  if (provider === GENERIC_OAUTH2) config[provider] = { oauth: 2 };
  else if (provider === GENERIC_OAUTH1) config[provider] = { oauth: 1 };
  else if (Object.hasOwn(grantOAuthConfig, provider)) config[provider] = {};
  return config;
}

/** The grant provider whose quirks apply: the catalog's, when the protocol still matches. */
export function grantProviderName(service: ServiceDefinition): string {
  const name = service.grantProvider;
  const known = name ? grantOAuthConfig[name] : undefined;
  const version = service.authType === 'OAUTH1' ? 1 : 2;
  if (name && known && known.oauth === version) return name;
  return version === 1 ? GENERIC_OAUTH1 : GENERIC_OAUTH2;
}

/** Checks the attempt and returns the service with its subdomain filled in. */
export function prepareService(attempt: AttemptConfig): ServiceDefinition {
  const service = resolveSubdomain(attempt.service, attempt.subdomain);
  const label = service.displayName;
  if (service.authType !== 'OAUTH2' && service.authType !== 'OAUTH1') {
    throw new AuthFlowError(
      'INVALID_SERVICE',
      `${label} uses ${service.authType}: there is no authorization flow to run`,
    );
  }
  if (
    !service.authorizeUrl ||
    !service.accessTokenUrl ||
    (service.authType === 'OAUTH1' && !service.requestTokenUrl)
  ) {
    throw new AuthFlowError('INVALID_SERVICE', `${label} is missing an authorization endpoint`);
  }
  if (hasUnresolvedSubdomain(service))
    throw new AuthFlowError('INVALID_SERVICE', `${label} needs a subdomain`);
  if (!attempt.client.clientId || !attempt.client.clientSecret) {
    throw new AuthFlowError('INVALID_SERVICE', `${label} has no client credentials configured`);
  }
  return service;
}

/** grant's per-request provider settings for one attempt (the `dynamic` state override). */
export function dynamicGrantConfig(
  service: ServiceDefinition,
  attempt: AttemptConfig,
  redirectUri: string,
): Record<string, unknown> {
  const scopes = attempt.scopes.length > 0 ? attempt.scopes : service.defaultScopes;
  const customParams = Object.fromEntries(
    Object.entries(service.authorizeParams ?? {}).filter(([key]) => !RESERVED_AUTHORIZE_PARAMS.includes(key)),
  );
  const dynamic: Record<string, unknown> = {
    key: attempt.client.clientId,
    secret: attempt.client.clientSecret,
    authorize_url: service.authorizeUrl,
    access_url: service.accessTokenUrl,
    redirect_uri: redirectUri,
    scope: scopes,
    scope_delimiter: service.scopeDelimiter,
    custom_params: customParams,
  };
  if (service.authType === 'OAUTH1') {
    dynamic.request_url = service.requestTokenUrl;
    if (service.oauth1SignatureMethod === 'RSA-SHA1' && attempt.client.privateKey)
      dynamic.private_key = attempt.client.privateKey;
  } else {
    if (service.tokenEndpointAuthMethod) dynamic.token_endpoint_auth_method = service.tokenEndpointAuthMethod;
    // The defaults turn PKCE on; a state override is the only way to turn it off for one service.
    if (service.pkce === false) dynamic.pkce = false;
  }
  if (service.profileUrl) dynamic.profile_url = service.profileUrl;
  return dynamic;
}
