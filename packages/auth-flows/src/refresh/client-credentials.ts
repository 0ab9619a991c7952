import * as oauth from 'oauth4webapi';
import { RESERVED_TOKEN_PARAMS } from '../catalog/grant-rules';
import { AuthFlowError } from '../errors';
import { parseScopes } from '../scopes';
import type { ClientCredentials, OAuth2Credentials, ServiceDefinition } from '../types';
import { SUBDOMAIN_PLACEHOLDER } from '../types';
import { isTransientStatus, malformedTokenResponse, tokenEndpointError, transientError } from './classify';
import {
  classifyFailure,
  plainClientSecretBasic,
  type RefreshOptions,
  tolerantFetch,
} from './refresh-oauth2';

/** Whether the service's tokens come from the client credentials grant (no browser, no refresh token). */
export function usesClientCredentials(service: Pick<ServiceDefinition, 'authType' | 'grantType'>): boolean {
  return service.authType === 'OAUTH2' && service.grantType === 'client_credentials';
}

/** The request's form parameters besides grant_type (oauth4webapi adds it, and the client authentication). */
export function clientCredentialsParameters(service: ServiceDefinition): URLSearchParams {
  const params = new URLSearchParams();
  // RFC 6749 section 4.4.2: scope is optional; a service that lists none lets the server pick its default.
  if (service.defaultScopes.length > 0)
    params.set('scope', service.defaultScopes.join(service.scopeDelimiter));
  for (const [name, value] of Object.entries(service.tokenParams ?? {}))
    if (!RESERVED_TOKEN_PARAMS.includes(name)) params.set(name, value);
  return params;
}

function tokenUrlOf(service: ServiceDefinition, context: string): string {
  const url = service.accessTokenUrl;
  if (!url) throw new AuthFlowError('INVALID_SERVICE', `${context}: the service has no token endpoint`);
  if (url.includes(SUBDOMAIN_PLACEHOLDER))
    throw new AuthFlowError('INVALID_SERVICE', `${context}: the service's subdomain is not resolved`);
  return url;
}

/**
 * Runs the client credentials grant (RFC 6749 section 4.4): POST grant_type=client_credentials (with the
 * service's scopes and token parameters) to the token endpoint, the client authenticating as the service
 * says (section 2.3.1: client_secret_basic, raw id and secret as for the code exchange and the refresh, or
 * client_secret_post). Used both to connect and to renew: section 4.4.3 says a refresh token SHOULD NOT be
 * issued, so an expiring token is simply requested again; one that comes anyway is dropped, never stored.
 * Failures are AuthFlowErrors classified like a refresh's (invalid_client terminal, 5xx/429 transient), with
 * the client secret masked in whatever the server echoed.
 */
export async function requestClientCredentialsToken(
  service: ServiceDefinition,
  client: ClientCredentials,
  options: RefreshOptions = {},
): Promise<OAuth2Credentials> {
  const context = `Requesting a token from ${service.displayName}`;
  const tokenUrl = tokenUrlOf(service, context);
  const as: oauth.AuthorizationServer = { issuer: new URL(tokenUrl).origin, token_endpoint: tokenUrl };
  const oauthClient: oauth.Client = { client_id: client.clientId };
  const auth =
    service.tokenEndpointAuthMethod === 'client_secret_basic'
      ? plainClientSecretBasic(client.clientSecret)
      : oauth.ClientSecretPost(client.clientSecret);
  const secrets = [client.clientSecret];
  const now = options.now ?? Date.now;

  let result: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      oauthClient,
      auth,
      clientCredentialsParameters(service),
      {
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        [oauth.allowInsecureRequests]: tokenUrl.startsWith('http:'),
        [oauth.customFetch]: tolerantFetch({}, options, context),
      },
    );
    if (isTransientStatus(response.status)) {
      const body = await response.json().catch(() => undefined);
      if (body && typeof body === 'object' && typeof (body as Record<string, unknown>).error === 'string')
        throw tokenEndpointError(body as Record<string, unknown>, response.status, context, secrets);
      throw transientError(context, `the token endpoint answered HTTP ${response.status}`, response.status);
    }
    result = await oauth.processClientCredentialsResponse(as, oauthClient, response);
  } catch (error) {
    throw await classifyFailure(error, context, secrets);
  }

  const expiresIn = result.expires_in;
  if (expiresIn !== undefined && (!Number.isFinite(expiresIn) || expiresIn <= 0))
    throw malformedTokenResponse(context, 'expires_in is not a positive number');
  const next: OAuth2Credentials = {
    type: 'OAUTH2',
    accessToken: result.access_token,
    tokenType: result.token_type,
    // Section 5.1: a server that grants what was asked may leave scope out.
    scopes: parseScopes(result.scope, service.scopeDelimiter) ?? service.defaultScopes,
  };
  if (expiresIn !== undefined) {
    next.issuedAt = now();
    next.expiresAt = next.issuedAt + Math.round(expiresIn * 1000);
  }
  return next;
}
