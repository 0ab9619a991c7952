// One small error factory: a stable code, a clear message, an HTTP status. The GraphQL layer copies the code
// to extensions.code; clients switch on codes, never on message text.
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'CURSOR_EXPIRED'
  | 'CONFIRMATION_REQUIRED'
  | 'NEEDS_AUTHORIZATION'
  | 'HOST_NOT_ALLOWED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'RESPONSE_TOO_LARGE'
  | 'PAYLOAD_TOO_LARGE'
  | 'REFRESH_FAILED'
  | 'RATE_LIMITED'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'WEBSOCKET_REQUIRED'
  | 'INTERNAL_SERVER_ERROR';

const STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  // Gone: the events after the cursor were deleted by retention; resync with `connections`, then follow anew.
  CURSOR_EXPIRED: 410,
  CONFIRMATION_REQUIRED: 409,
  NEEDS_AUTHORIZATION: 409,
  HOST_NOT_ALLOWED: 403,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_UNAVAILABLE: 502,
  RESPONSE_TOO_LARGE: 502,
  // The caller's request body is past a documented limit (RFC 9110 15.5.14).
  PAYLOAD_TOO_LARGE: 413,
  REFRESH_FAILED: 503,
  RATE_LIMITED: 429,
  TOO_MANY_SUBSCRIPTIONS: 429,
  WEBSOCKET_REQUIRED: 400,
  INTERNAL_SERVER_ERROR: 500,
};

export class AppError extends Error {
  readonly httpStatus: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.httpStatus = STATUS[code];
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found.`);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError('FORBIDDEN', message);
export const unauthenticated = () =>
  new AppError('UNAUTHENTICATED', 'Sign in or send a valid API token to use this API.');
export const badInput = (field: string, message: string) =>
  new AppError('BAD_USER_INPUT', `${field}: ${message}`, { field });
