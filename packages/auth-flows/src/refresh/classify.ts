import { AuthFlowError, sanitizeDescription, sanitizeOAuthErrorCode } from '../errors';

/** Token-endpoint errors after which the same refresh token can never work: the user must reconnect. */
export const TERMINAL_OAUTH_ERRORS = [
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
];
/** RFC 6749 errors that say "try later". */
export const TRANSIENT_OAUTH_ERRORS = ['temporarily_unavailable', 'server_error'];

export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * An OAuth error answer from a token endpoint (RFC 6749 section 5.2), classified for refresh. `secrets`
 * are masked if the provider echoed them in its description.
 */
export function tokenEndpointError(
  body: Record<string, unknown>,
  status: number | undefined,
  context: string,
  secrets: readonly string[] = [],
): AuthFlowError {
  const oauthError = sanitizeOAuthErrorCode(body.error) ?? 'unknown_error';
  const description = sanitizeDescription(body.error_description, secrets);
  const transient =
    TRANSIENT_OAUTH_ERRORS.includes(oauthError) || (status !== undefined && isTransientStatus(status));
  const terminal = !transient && TERMINAL_OAUTH_ERRORS.includes(oauthError);
  const detail = description ? `${oauthError}: ${description}` : oauthError;
  return new AuthFlowError(
    transient ? 'UPSTREAM_UNAVAILABLE' : 'TOKEN_ENDPOINT_ERROR',
    `${context}: the token endpoint answered ${detail}`,
    { oauthError, description, status, terminal, transient },
  );
}

export function transientError(
  context: string,
  why: string,
  status?: number,
  cause?: unknown,
): AuthFlowError {
  return new AuthFlowError('UPSTREAM_UNAVAILABLE', `${context}: ${why}`, { status, transient: true, cause });
}

export function malformedTokenResponse(context: string, why: string, status?: number): AuthFlowError {
  return new AuthFlowError('MALFORMED_TOKEN_RESPONSE', `${context}: malformed token response (${why})`, {
    status,
  });
}

function nameAndMessage(error: unknown): { name: string; message: string } | undefined {
  // Duck-typed on purpose: fetch's TypeError and the timeout DOMException may come from another realm
  // (Jest's sandbox, a worker), where instanceof Error is false.
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, message } = error as { name?: unknown; message?: unknown };
  return typeof name === 'string' ? { name, message: typeof message === 'string' ? message : '' } : undefined;
}

export function isTimeout(error: unknown): boolean {
  const info = nameAndMessage(error);
  return info?.name === 'TimeoutError' || info?.name === 'AbortError';
}

/** Network failures and timeouts surface from fetch as TypeError('fetch failed') / AbortError / TimeoutError. */
export function isNetworkOrTimeout(error: unknown): boolean {
  const info = nameAndMessage(error);
  return (
    isTimeout(error) || (info?.name === 'TypeError' && /fetch failed|network|socket/i.test(info.message))
  );
}
