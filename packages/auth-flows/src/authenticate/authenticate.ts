import { AuthFlowError } from '../errors';
import { oauth1ProtocolParams, authorizationHeader, type OAuth1SignOptions } from '../sign/oauth1';
import type { ClientCredentials, Credentials, OutgoingRequest, ServiceDefinition } from '../types';
import { urlRefusal } from './hosts';
import {
  canUseFormBody,
  formPairs,
  withEncodedForm,
  withFormParams,
  withHeader,
  withQueryParams,
  type Pair,
} from './request-parts';

export interface AuthenticateOptions {
  /**
   * Attach credentials even when the URL is not under the service's API base URLs. Only for URLs that
   * come from the service definition itself (its test request); never for URLs a caller supplied.
   */
  allowAnyHost?: boolean;
  /** OAuth 1.0a: fixed nonce/timestamp/realm, for reproducible signatures in tests. */
  oauth1?: Pick<OAuth1SignOptions, 'nonce' | 'timestamp' | 'realm' | 'includeVersion'>;
}

const UNSAFE_IN_HEADER = /[\r\n\0]/;

function invalid(message: string): AuthFlowError {
  return new AuthFlowError('INVALID_CREDENTIALS', message);
}

function checkValue(value: string, what: string): string {
  if (value === '') throw invalid(`The ${what} is empty`);
  if (UNSAFE_IN_HEADER.test(value)) throw invalid(`The ${what} contains a line break or NUL character`);
  return value;
}

/** Places one parameter by param type; FORM_DATA falls back to the query when no form body is possible. */
function placeParam(
  request: OutgoingRequest,
  service: ServiceDefinition,
  name: string,
  value: string,
  headerValue = value,
): OutgoingRequest {
  switch (service.paramType) {
    case 'HEADERS':
      return { ...request, headers: withHeader(request.headers, name, headerValue) };
    case 'QUERY_STRING':
      return { ...request, url: withQueryParams(request.url, [[name, value]]) };
    case 'FORM_DATA':
      return canUseFormBody(request)
        ? withFormParams(request, [[name, value]])
        : { ...request, url: withQueryParams(request.url, [[name, value]]) };
  }
}

function applyOAuth2(request: OutgoingRequest, token: string, service: ServiceDefinition): OutgoingRequest {
  checkValue(token, 'access token');
  if (service.paramType === 'HEADERS') {
    const header = service.accessTokenHeader;
    const name = header?.name ?? 'Authorization';
    const prefix = header ? (header.prefix ?? '') : 'Bearer ';
    return { ...request, headers: withHeader(request.headers, name, `${prefix}${token}`) };
  }
  // RFC 6750 sections 2.2 and 2.3 name the parameter access_token in both the body and the query.
  return placeParam(request, service, 'access_token', token);
}

function applyApiKey(request: OutgoingRequest, apiKey: string, service: ServiceDefinition): OutgoingRequest {
  checkValue(apiKey, 'API key');
  const name = service.apiKeyParamName;
  if (!name)
    throw new AuthFlowError('INVALID_SERVICE', `${service.displayName} has no API key parameter name`);
  const value = `${service.apiKeyPrefix ?? ''}${apiKey}`;
  return placeParam(request, service, name, value);
}

/**
 * Basic is RFC 7617's Authorization header whatever the param type: a definition with another one is refused
 * when it is validated (catalog/schema-rules.ts: a password in a URL or form ends up in logs).
 */
function applyBasic(request: OutgoingRequest, username: string, password: string): OutgoingRequest {
  // RFC 7617: the user-id cannot contain a colon, since the first colon separates it from the password.
  if (username.includes(':')) throw invalid('A Basic username cannot contain ":"');
  checkValue(username, 'username');
  if (UNSAFE_IN_HEADER.test(password)) throw invalid('The password contains a line break or NUL character');
  const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return { ...request, headers: withHeader(request.headers, 'Authorization', `Basic ${encoded}`) };
}

function applyOAuth1(
  request: OutgoingRequest,
  credentials: { token: string; tokenSecret: string },
  service: ServiceDefinition,
  client: ClientCredentials | undefined,
  options: AuthenticateOptions,
): OutgoingRequest {
  if (!client?.clientId)
    throw invalid(`${service.displayName} needs the client (consumer) key to sign requests`);
  checkValue(credentials.token, 'token');
  const signatureMethod = service.oauth1SignatureMethod ?? 'HMAC-SHA1';
  if (signatureMethod === 'RSA-SHA1' && !client.privateKey)
    throw invalid('RSA-SHA1 signing needs the client private key');
  const keys = {
    consumerKey: client.clientId,
    consumerSecret: client.clientSecret,
    token: credentials.token,
    tokenSecret: credentials.tokenSecret,
    privateKey: client.privateKey,
  };
  const inBody = service.paramType === 'FORM_DATA' && canUseFormBody(request);
  const inQuery = service.paramType === 'QUERY_STRING' || (service.paramType === 'FORM_DATA' && !inBody);
  // What is signed must be what is sent: encode a map or URLSearchParams body first.
  const prepared = withEncodedForm(request);
  const form: Pair[] = formPairs(prepared) ?? [];
  const { realm, ...signOptions } = options.oauth1 ?? {};
  const params = oauth1ProtocolParams(
    { method: prepared.method, url: prepared.url, formParams: form },
    keys,
    { signatureMethod, ...signOptions },
  );
  if (inBody) return withFormParams(prepared, params);
  if (inQuery) return { ...prepared, url: withQueryParams(prepared.url, params) };
  return {
    ...prepared,
    headers: withHeader(prepared.headers, 'Authorization', authorizationHeader(params, realm)),
  };
}

/**
 * Returns a copy of the request with the credentials applied as the service's auth type and param type
 * require. Pure: no I/O, the input is not modified. Refuses (HOST_NOT_ALLOWED) to attach credentials to
 * a URL outside the service's API base URLs, so a token can never be sent to another host by mistake.
 */
export function authenticate(
  request: OutgoingRequest,
  credentials: Credentials,
  service: ServiceDefinition,
  client?: ClientCredentials,
  options: AuthenticateOptions = {},
): OutgoingRequest {
  if (credentials.type !== service.authType) {
    throw invalid(
      `${credentials.type} credentials cannot be used with ${service.displayName} (${service.authType})`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(request.url);
  } catch {
    throw new AuthFlowError('HOST_NOT_ALLOWED', 'The request URL is not a valid absolute URL');
  }
  const refusal = options.allowAnyHost ? undefined : urlRefusal(service, parsed);
  if (refusal) throw new AuthFlowError('HOST_NOT_ALLOWED', `${service.displayName}: ${refusal}`);
  const base: OutgoingRequest = {
    ...request,
    method: request.method.toUpperCase(),
    url: parsed.toString(),
    headers: { ...request.headers },
  };
  switch (credentials.type) {
    case 'OAUTH2':
      return applyOAuth2(base, credentials.accessToken, service);
    case 'OAUTH1':
      return applyOAuth1(base, credentials, service, client, options);
    case 'BASIC':
      return applyBasic(base, credentials.username, credentials.password);
    case 'API_KEY':
      return applyApiKey(base, credentials.apiKey, service);
  }
}
