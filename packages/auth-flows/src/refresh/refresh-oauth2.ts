import * as oauth from 'oauth4webapi';
import { AuthFlowError } from '../errors';
import { parseScopes } from '../scopes';
import type { ClientCredentials, Credentials, OAuth2Credentials, ServiceDefinition } from '../types';
import { SUBDOMAIN_PLACEHOLDER } from '../types';
import {
  isNetworkOrTimeout,
  isTimeout,
  isTransientStatus,
  malformedTokenResponse,
  tokenEndpointError,
  transientError,
} from './classify';

export interface RefreshOptions {
  /** Whole-request time limit. Default 15 s. */
  timeoutMs?: number;
  /** Clock used to turn `expires_in` into `expiresAt`; tests pin it. */
  now?: () => number;
  /**
   * The fetch that reaches the token endpoint. Hosts pass one that enforces their network policy (no
   * private or metadata addresses), since the token URL comes from a service definition.
   */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Largest token response read, in bytes (after content decoding). Default 1 MiB. */
  maxResponseBytes?: number;
}

/** Token responses are a few hundred bytes: a megabyte is generous and still bounds what we hold. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

type JsonObject = Record<string, unknown>;

/**
 * Reads a body up to `limit` bytes and refuses the rest: the token endpoint's URL comes from a service
 * definition, and a server that streams without end must not fill this process's memory.
 */
export async function readBounded(response: Response, limit: number, context: string): Promise<string> {
  const tooLarge = () =>
    new AuthFlowError(
      'MALFORMED_TOKEN_RESPONSE',
      `${context}: the token endpoint answered with more than ${limit} bytes`,
    );
  if (Number(response.headers.get('content-length')) > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A response that cannot carry a body (Response refuses one for these statuses). */
const NULL_BODY_STATUSES = [101, 204, 205, 304];

/**
 * oauth4webapi is strict where real providers are sloppy. This fetch wrapper, oauth4webapi's own
 * extension point, reads every answer through the size limit, then smooths three quirks of successful
 * responses only:
 * - form-encoded bodies (GitHub without Accept, old Facebook) become JSON;
 * - a missing token_type means bearer (RFC 6749 requires it, several providers omit it);
 * - the id_token is kept aside: oauth4webapi would validate its claims against an issuer we do not
 *   know without discovery, and a refresh does not authenticate anyone, so it is only stored.
 * Errors and non-JSON bodies pass through untouched for oauth4webapi to classify.
 */
export function tolerantFetch(captured: { idToken?: string }, options: RefreshOptions, context: string) {
  const send = options.fetch ?? fetch;
  const limit = options.maxResponseBytes ?? MAX_TOKEN_RESPONSE_BYTES;
  return async (url: string, init: RequestInit): Promise<Response> => {
    const response = await send(url, init);
    const text = await readBounded(response, limit, context);
    if (response.status !== 200) {
      const headers = new Headers(response.headers);
      headers.delete('content-length');
      headers.delete('content-encoding');
      const body = NULL_BODY_STATUSES.includes(response.status) ? null : text;
      return new Response(body, { status: response.status, statusText: response.statusText, headers });
    }
    let body: unknown;
    const type = response.headers.get('content-type') ?? '';
    try {
      body = type.includes('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(text))
        : JSON.parse(text);
    } catch {
      return new Response(text, { status: response.status, headers: response.headers });
    }
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const json = body as JsonObject;
      if (typeof json.access_token === 'string' && json.token_type === undefined) json.token_type = 'bearer';
      if (typeof json.id_token === 'string') captured.idToken = json.id_token;
      delete json.id_token;
    }
    const headers = new Headers(response.headers);
    headers.set('content-type', 'application/json');
    headers.delete('content-length');
    return new Response(JSON.stringify(body), { status: response.status, headers });
  };
}

/**
 * HTTP Basic with the raw client id and secret, as grant sends them for the code exchange. oauth4webapi
 * form-encodes both first (RFC 6749 2.3.1 to the letter), which many providers do not decode: the code
 * exchange would work and every refresh fail with invalid_client for a secret containing '-' or '.'.
 */
export function plainClientSecretBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    headers.set(
      'authorization',
      `Basic ${Buffer.from(`${client.client_id}:${clientSecret}`, 'utf8').toString('base64')}`,
    );
  };
}

function tokenUrlOf(service: ServiceDefinition): string {
  const url = service.refreshUrl ?? service.accessTokenUrl;
  if (!url) throw new AuthFlowError('INVALID_SERVICE', `${service.displayName} has no token endpoint`);
  if (url.includes(SUBDOMAIN_PLACEHOLDER))
    throw new AuthFlowError(
      'INVALID_SERVICE',
      `${service.displayName} needs its subdomain resolved before a refresh`,
    );
  return url;
}

export async function classifyFailure(
  error: unknown,
  context: string,
  secrets: string[],
): Promise<AuthFlowError> {
  if (error instanceof AuthFlowError) return error;
  if (error instanceof oauth.ResponseBodyError)
    return tokenEndpointError(error.cause, error.status, context, secrets);
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    // A 401 with a challenge: RFC 6749 5.2 sends invalid_client this way; read the body when there is one.
    let body: JsonObject;
    try {
      body = (await error.response.json()) as JsonObject;
    } catch {
      body = { error: error.cause[0]?.parameters.error ?? 'invalid_client' };
    }
    return tokenEndpointError({ error: 'invalid_client', ...body }, error.status, context, secrets);
  }
  if (error instanceof oauth.OperationProcessingError) {
    if (error.code === oauth.RESPONSE_IS_NOT_CONFORM) {
      return new AuthFlowError(
        'TOKEN_ENDPOINT_ERROR',
        `${context}: the token endpoint answered with an unexpected HTTP status and no OAuth error`,
      );
    }
    const why =
      error.code === oauth.PARSE_ERROR || error.code === oauth.RESPONSE_IS_NOT_JSON
        ? 'not JSON'
        : error.message.replace(/^"response" body /, '');
    return malformedTokenResponse(context, why);
  }
  if (error instanceof oauth.UnsupportedOperationError)
    return malformedTokenResponse(context, 'unsupported token_type');
  if (isNetworkOrTimeout(error)) {
    return transientError(
      context,
      isTimeout(error) ? 'the token endpoint timed out' : 'the token endpoint could not be reached',
      undefined,
      error,
    );
  }
  return new AuthFlowError('TOKEN_ENDPOINT_ERROR', `${context}: unexpected failure`, { cause: error });
}

/**
 * Runs the refresh_token grant (RFC 6749 section 6) with client_secret_post or client_secret_basic as
 * the service says. Returns new credentials; keeps the old refresh token when the response carries
 * none, and the old scopes when it does not restate them. Throws AuthFlowError with terminal or
 * transient set so the caller knows whether to ask for reauthorization or to retry.
 */
export async function refreshOAuth2(
  service: ServiceDefinition,
  client: ClientCredentials,
  credentials: Credentials,
  options: RefreshOptions = {},
): Promise<OAuth2Credentials> {
  const context = `Refreshing ${service.displayName}`;
  if (credentials.type !== 'OAUTH2')
    throw new AuthFlowError('INVALID_CREDENTIALS', `${context}: only OAuth 2.0 credentials can be refreshed`);
  if (!credentials.refreshToken)
    throw new AuthFlowError('NO_REFRESH_TOKEN', `${context}: there is no refresh token; reconnect`, {
      terminal: true,
    });

  const tokenUrl = tokenUrlOf(service);
  const as: oauth.AuthorizationServer = { issuer: new URL(tokenUrl).origin, token_endpoint: tokenUrl };
  const oauthClient: oauth.Client = { client_id: client.clientId };
  const auth =
    service.tokenEndpointAuthMethod === 'client_secret_basic'
      ? plainClientSecretBasic(client.clientSecret)
      : oauth.ClientSecretPost(client.clientSecret);
  const captured: { idToken?: string } = {};
  const secrets = [credentials.refreshToken, credentials.accessToken, client.clientSecret];
  const now = options.now ?? Date.now;

  let result: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.refreshTokenGrantRequest(as, oauthClient, auth, credentials.refreshToken, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      [oauth.allowInsecureRequests]: tokenUrl.startsWith('http:'),
      [oauth.customFetch]: tolerantFetch(captured, options, context),
    });
    if (isTransientStatus(response.status)) {
      const body = await response.json().catch(() => undefined);
      await response.body?.cancel().catch(() => undefined);
      if (body && typeof body === 'object' && typeof (body as JsonObject).error === 'string')
        throw tokenEndpointError(body as JsonObject, response.status, context, secrets);
      throw transientError(context, `the token endpoint answered HTTP ${response.status}`, response.status);
    }
    result = await oauth.processRefreshTokenResponse(as, oauthClient, response);
  } catch (error) {
    throw await classifyFailure(error, context, secrets);
  }

  const expiresIn = result.expires_in;
  if (expiresIn !== undefined && (!Number.isFinite(expiresIn) || expiresIn <= 0))
    throw malformedTokenResponse(context, 'expires_in is not a positive number');
  const next: OAuth2Credentials = {
    type: 'OAUTH2',
    accessToken: result.access_token,
    refreshToken: result.refresh_token ?? credentials.refreshToken,
    tokenType: result.token_type,
    scopes: parseScopes(result.scope, service.scopeDelimiter) ?? credentials.scopes,
  };
  if (expiresIn !== undefined) {
    next.issuedAt = now();
    next.expiresAt = next.issuedAt + Math.round(expiresIn * 1000);
  }
  const idToken = captured.idToken ?? credentials.idToken;
  if (idToken) next.idToken = idToken;
  return next;
}
