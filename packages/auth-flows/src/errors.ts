export type AuthFlowErrorCode =
  /** The user refused consent at the provider. */
  | 'ACCESS_DENIED'
  /** The provider redirected back with an OAuth error other than access_denied, or failed the OAuth 1.0a dance. */
  | 'PROVIDER_ERROR'
  /** The token endpoint answered with an OAuth error (`error`, `error_description`). */
  | 'TOKEN_ENDPOINT_ERROR'
  /** The token endpoint answered 2xx with something that is not a usable token response. */
  | 'MALFORMED_TOKEN_RESPONSE'
  /** The callback's `state` is missing or does not match the one this browser session started with. */
  | 'STATE_MISMATCH'
  /** The authorization response names another issuer than the server the user was sent to (RFC 9207). */
  | 'ISSUER_MISMATCH'
  /** A callback arrived for no flow in progress (expired session, second tab, replayed link). */
  | 'NO_FLOW_IN_PROGRESS'
  /** The attempt is unknown, expired or already used. */
  | 'UNKNOWN_ATTEMPT'
  /** The service definition cannot run this flow (wrong auth type, missing URL, bad subdomain...). */
  | 'INVALID_SERVICE'
  /** The credentials do not fit the service's auth type, or lack what the operation needs. */
  | 'INVALID_CREDENTIALS'
  /** The request URL is not under one of the service's API base URLs, so no credentials are attached. */
  | 'HOST_NOT_ALLOWED'
  /** Refreshing needs a refresh token and there is none. */
  | 'NO_REFRESH_TOKEN'
  /** Network failure, timeout, 5xx or 429 while talking to the provider. */
  | 'UPSTREAM_UNAVAILABLE'
  /** The lock guarding a refresh could not be taken in time. */
  | 'LOCK_TIMEOUT';

export interface AuthFlowErrorOptions {
  /** The OAuth `error` value from the provider, when there is one (never a secret). */
  oauthError?: string;
  /** The provider's `error_description`, cleaned of anything that looks like a credential. */
  description?: string;
  /** HTTP status of the upstream response, when one was received. */
  status?: number;
  /** For refresh errors: retrying with the same refresh token can never succeed. */
  terminal?: boolean;
  /** For refresh errors: the same request may succeed later (5xx, 429, network, timeout). */
  transient?: boolean;
  cause?: unknown;
}

/**
 * The one error type of this package. Hosts switch on `code`, never on the message. Messages are built
 * from fixed text plus provider error codes and descriptions; they never include tokens, secrets or
 * authorization codes.
 */
export class AuthFlowError extends Error {
  override readonly name = 'AuthFlowError';
  readonly code: AuthFlowErrorCode;
  readonly oauthError?: string;
  readonly description?: string;
  readonly status?: number;
  readonly terminal: boolean;
  readonly transient: boolean;

  constructor(code: AuthFlowErrorCode, message: string, options: AuthFlowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.oauthError = options.oauthError;
    this.description = options.description;
    this.status = options.status;
    this.terminal = options.terminal ?? false;
    this.transient = options.transient ?? false;
  }

  /** A JSON-safe view for logs and events: the cause is left out because it may carry request details. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      oauthError: this.oauthError,
      description: this.description,
      status: this.status,
      terminal: this.terminal,
      transient: this.transient,
    };
  }
}

export function isAuthFlowError(value: unknown): value is AuthFlowError {
  return value instanceof AuthFlowError;
}

const MAX_DESCRIPTION = 300;

/**
 * Providers sometimes echo request parameters in error descriptions. Anything long and token-shaped is
 * masked, and the text is bounded, so a description is safe to show and to log.
 */
export function sanitizeDescription(value: unknown, secrets: readonly string[] = []): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  let text = value;
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join('[redacted]');
  const masked = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[A-Za-z0-9._~+/=-]{32,}/g, '[redacted]')
    .trim();
  return masked.length > MAX_DESCRIPTION ? `${masked.slice(0, MAX_DESCRIPTION)}...` : masked;
}

/** OAuth error codes are ASCII tokens (RFC 6749 section 5.2); anything else is not echoed back. */
export function sanitizeOAuthErrorCode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,100}$/.test(value) ? value : undefined;
}
