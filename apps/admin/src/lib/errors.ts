/**
 * API errors in plain words, by `extensions.code` (never by message text). The API's own message is shown
 * only for BAD_USER_INPUT and CONFLICT, where it names the problem with the value the user typed, and for
 * CONFIRMATION_REQUIRED, where it says what confirming would do.
 */
export interface ApiErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

export interface CombinedErrorLike {
  networkError?: Error;
  graphQLErrors: ApiErrorLike[];
}

export interface DescribedError {
  code: string;
  /** The input field the API named (BAD_USER_INPUT, CONFLICT), e.g. `authorizeUrl` or `connections[1].linkName`. */
  field: string | null;
  /** What to tell the user. */
  message: string;
  /** NEEDS_AUTHORIZATION: where the user can connect. */
  connectUrl: string | null;
}

const PLAIN: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Sign in again to continue.',
  FORBIDDEN: 'You do not have permission to do this. An admin of the workspace can.',
  NOT_FOUND: 'This no longer exists, or you cannot see it.',
  NEEDS_AUTHORIZATION: 'This connection is not authorized for you yet. Connect it first, then try again.',
  HOST_NOT_ALLOWED:
    "That URL is outside the service's API base URLs, or points at a private address. Use a path relative to the base URL.",
  UPSTREAM_TIMEOUT: 'The service did not answer in time. Try again in a moment.',
  UPSTREAM_UNAVAILABLE: 'The service could not be reached. Check its status and try again.',
  RESPONSE_TOO_LARGE:
    'The response is larger than the configured limit. Ask for less (a smaller page, a filter).',
  REFRESH_FAILED:
    'The access token expired and could not be refreshed. Try again shortly, or Reconnect if it keeps failing.',
  QUERY_TOO_DEEP: 'The request was refused as too complex.',
  QUERY_TOO_COMPLEX: 'The request was refused as too complex.',
  INTERNAL_SERVER_ERROR:
    'Something went wrong on the server. Try again; if it persists, check the server logs.',
};

/** The part of a `field: message` text after the field, so it reads well under the field itself. */
function withoutFieldPrefix(message: string, field: string | null): string {
  if (field && message.startsWith(`${field}: `)) return message.slice(field.length + 2);
  return message;
}

export function describeApiError(e: ApiErrorLike): DescribedError {
  const ext = e.extensions ?? {};
  const code = typeof ext.code === 'string' ? ext.code : 'INTERNAL_SERVER_ERROR';
  const field = typeof ext.field === 'string' ? ext.field : null;
  const connectUrl = typeof ext.connectUrl === 'string' ? ext.connectUrl : null;
  let message: string;
  switch (code) {
    case 'BAD_USER_INPUT':
    case 'GRAPHQL_VALIDATION_FAILED':
      message = withoutFieldPrefix(e.message, field);
      break;
    case 'CONFLICT':
      message = e.message || 'This conflicts with something that already exists.';
      break;
    case 'CONFIRMATION_REQUIRED':
      // The API's message says what the change would do and how to confirm it.
      message = e.message;
      break;
    default:
      message = PLAIN[code] ?? PLAIN.INTERNAL_SERVER_ERROR!;
  }
  return { code, field, message, connectUrl };
}

/** The first error of a urql CombinedError, described; null when there is none. */
export function describeError(error: CombinedErrorLike | null | undefined): DescribedError | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first) return describeApiError(first);
  return {
    code: 'NETWORK',
    field: null,
    message: 'The Connections server could not be reached. Check your network and try again.',
    connectUrl: null,
  };
}

/** Every field error of a CombinedError, by the field the API named (first message per field). */
export function fieldErrorsOf(error: CombinedErrorLike | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of error?.graphQLErrors ?? []) {
    const d = describeApiError(e);
    const problems = e.extensions?.problems;
    if (Array.isArray(problems))
      for (const p of problems as { field?: unknown; message?: unknown }[])
        if (typeof p.field === 'string' && typeof p.message === 'string') out[p.field] ??= p.message;
    if (d.field) out[d.field] ??= d.message;
  }
  return out;
}
