import { AuthFlowError, sanitizeDescription, sanitizeOAuthErrorCode } from '../errors';
import { isTransientStatus, tokenEndpointError } from '../refresh/classify';
import { parseScopes } from '../scopes';
import type { Credentials, OAuth2Credentials, ServiceDefinition, UpstreamAccount } from '../types';

type Json = Record<string, unknown>;

/** What a flow produced: credentials to store, or one classified error. */
export type FlowOutcome =
  | {
      ok: true;
      credentials: Credentials;
      account?: UpstreamAccount;
      /** The token response without its secrets (instance_url, realmId, team...). */
      raw: Record<string, unknown>;
      /** Scopes the user granted; for OAuth 2.0 the same as credentials.scopes. */
      grantedScopes: string[];
    }
  | { ok: false; error: AuthFlowError };

/** What grant left in `res.locals.grant.response` with `response: ['tokens', 'raw', 'profile']`. */
export interface GrantResponse {
  access_token?: string;
  access_secret?: string;
  refresh_token?: string;
  id_token?: string;
  raw?: unknown;
  profile?: unknown;
  error?: unknown;
  [key: string]: unknown;
}

export interface NormalizeInput {
  service: ServiceDefinition;
  response: GrantResponse | undefined;
  /** The query the provider redirected back with. */
  callbackQuery: Json;
  requestedScopes: string[];
  now: number;
  /** Values that must never appear in a message: the client secret, the code. */
  secrets: string[];
}

const SECRET_KEYS = [
  'access_token',
  'refresh_token',
  'id_token',
  'oauth_token',
  'oauth_token_secret',
  'code',
  'client_secret',
];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutSecrets(raw: unknown): Json {
  if (!isObject(raw)) return {};
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !SECRET_KEYS.includes(key)));
}

const fail = (error: AuthFlowError): FlowOutcome => ({ ok: false, error });

/** An error the provider sent back on the redirect (RFC 6749 4.1.2.1), before any token exchange. */
function redirectError(service: ServiceDefinition, query: Json, secrets: string[]): AuthFlowError {
  const oauthError = sanitizeOAuthErrorCode(query.error) ?? 'unknown_error';
  const description = sanitizeDescription(query.error_description, secrets);
  if (oauthError === 'access_denied') {
    return new AuthFlowError('ACCESS_DENIED', `Access to ${service.displayName} was denied at the provider`, {
      oauthError,
      description,
    });
  }
  const detail = description ? `${oauthError}: ${description}` : oauthError;
  return new AuthFlowError('PROVIDER_ERROR', `${service.displayName} returned an error: ${detail}`, {
    oauthError,
    description,
  });
}

/**
 * grant reports a failed token request as {error: body} for an HTTP error with a body, or
 * {error: message} for a network failure ("connect ECONNREFUSED...", "request-compose: timeout") or
 * an empty error body ("503 Service Unavailable").
 */
function exchangeError(service: ServiceDefinition, error: unknown, secrets: string[]): AuthFlowError {
  const context = `Connecting ${service.displayName}`;
  if (isObject(error) && typeof error.error === 'string')
    return tokenEndpointError(error, undefined, context, secrets);
  const text = typeof error === 'string' ? error : '';
  const status = /^(\d{3}) /.exec(text)?.[1];
  if (status) {
    const code = Number(status);
    return new AuthFlowError(
      isTransientStatus(code) ? 'UPSTREAM_UNAVAILABLE' : 'TOKEN_ENDPOINT_ERROR',
      `${context}: the token endpoint answered HTTP ${code}`,
      {
        status: code,
        transient: isTransientStatus(code),
      },
    );
  }
  if (/ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|timeout|socket hang up/i.test(text)) {
    return new AuthFlowError('UPSTREAM_UNAVAILABLE', `${context}: the token endpoint could not be reached`, {
      transient: true,
    });
  }
  return new AuthFlowError(
    'TOKEN_ENDPOINT_ERROR',
    `${context}: the token endpoint answered with an error and no OAuth error code`,
  );
}

function expiresAtFrom(raw: Json, now: number): number | undefined | 'invalid' {
  const value = raw.expires_in;
  if (value === undefined || value === null || value === '') return undefined;
  const seconds =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return 'invalid';
  return now + Math.round(seconds * 1000);
}

function firstString(source: Json, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = source[key];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

/** The upstream identity from the profile grant fetched (or OAuth 1.0a's token response). */
export function accountFrom(profile: unknown, raw: Json): UpstreamAccount | undefined {
  const source =
    isObject(profile) && profile.error === undefined
      ? isObject(profile.data)
        ? { ...profile, ...profile.data }
        : profile
      : raw;
  const id = firstString(source, ['sub', 'id', 'user_id', 'uid', 'account_id', 'userId']);
  if (!id) return undefined;
  const account: UpstreamAccount = { id };
  const name = firstString(source, ['name', 'display_name', 'login', 'username', 'screen_name', 'user']);
  const email = firstString(source, ['email', 'mail', 'userPrincipalName']);
  if (name) account.name = name;
  if (email) account.email = email;
  return account;
}

function normalizeOAuth2(input: NormalizeInput, response: GrantResponse, raw: Json): FlowOutcome {
  const context = `Connecting ${input.service.displayName}`;
  if (typeof response.access_token !== 'string' || response.access_token === '') {
    return fail(
      new AuthFlowError(
        'MALFORMED_TOKEN_RESPONSE',
        `${context}: the token response has no access token (or is not JSON)`,
      ),
    );
  }
  const expiresAt = expiresAtFrom(raw, input.now);
  if (expiresAt === 'invalid')
    return fail(
      new AuthFlowError(
        'MALFORMED_TOKEN_RESPONSE',
        `${context}: the token response has an invalid expires_in`,
      ),
    );
  // RFC 6749 5.1: an absent scope means the requested scope was granted.
  const scopes = parseScopes(raw.scope, input.service.scopeDelimiter) ?? input.requestedScopes;
  const credentials: OAuth2Credentials = {
    type: 'OAUTH2',
    accessToken: response.access_token,
    tokenType:
      typeof raw.token_type === 'string' && raw.token_type !== '' ? raw.token_type.toLowerCase() : 'bearer',
    scopes,
  };
  if (typeof response.refresh_token === 'string' && response.refresh_token !== '')
    credentials.refreshToken = response.refresh_token;
  if (expiresAt !== undefined) {
    credentials.expiresAt = expiresAt;
    credentials.issuedAt = input.now;
  }
  if (typeof response.id_token === 'string') credentials.idToken = response.id_token;
  return {
    ok: true,
    credentials,
    account: accountFrom(response.profile, raw),
    raw: withoutSecrets(raw),
    grantedScopes: scopes,
  };
}

function normalizeOAuth1(input: NormalizeInput, response: GrantResponse, raw: Json): FlowOutcome {
  if (typeof response.access_token !== 'string' || typeof response.access_secret !== 'string') {
    return fail(
      new AuthFlowError(
        'MALFORMED_TOKEN_RESPONSE',
        `Connecting ${input.service.displayName}: the access token response has no oauth_token and oauth_token_secret`,
      ),
    );
  }
  const credentials: Credentials = {
    type: 'OAUTH1',
    token: response.access_token,
    tokenSecret: response.access_secret,
  };
  return {
    ok: true,
    credentials,
    account: accountFrom(response.profile, raw),
    raw: withoutSecrets(raw),
    grantedScopes: input.requestedScopes,
  };
}

/** Turns grant's callback result into credentials or one classified AuthFlowError. Never throws. */
export function normalizeGrantResponse(input: NormalizeInput): FlowOutcome {
  const { service, response, callbackQuery, secrets } = input;
  const isOAuth1 = service.authType === 'OAUTH1';
  // OAuth 1.0a has no error redirect; providers say no with `denied` (X) or by not sending a token.
  if (isOAuth1 && callbackQuery.denied !== undefined) {
    return fail(
      new AuthFlowError('ACCESS_DENIED', `Access to ${service.displayName} was denied at the provider`),
    );
  }
  if (!isOAuth1 && callbackQuery.code === undefined) {
    if (callbackQuery.error !== undefined) return fail(redirectError(service, callbackQuery, secrets));
    return fail(
      new AuthFlowError(
        'PROVIDER_ERROR',
        `${service.displayName} redirected back without an authorization code`,
      ),
    );
  }
  if (isOAuth1 && callbackQuery.oauth_token === undefined) {
    return fail(
      new AuthFlowError('PROVIDER_ERROR', `${service.displayName} redirected back without a token`),
    );
  }
  if (!response)
    return fail(
      new AuthFlowError('PROVIDER_ERROR', `Connecting ${service.displayName}: the flow produced no result`),
    );
  if (response.error !== undefined) {
    if (typeof response.error === 'string' && /state mismatch/i.test(response.error)) {
      return fail(
        new AuthFlowError(
          'STATE_MISMATCH',
          'The authorization response does not belong to the flow started in this browser',
        ),
      );
    }
    return fail(exchangeError(service, response.error, secrets));
  }
  const raw = isObject(response.raw) ? response.raw : {};
  return isOAuth1 ? normalizeOAuth1(input, response, raw) : normalizeOAuth2(input, response, raw);
}
