/**
 * API errors for people, by `extensions.code` (never by parsing message text). The API writes its messages
 * for the person who triggered them ("Sandbox (Basic) did not accept these credentials (HTTP 401)", "127.0.0.1
 * is not reachable from here: …"), so the console shows them as sent; the code only adds a hint on what to do
 * next. Plain words replace the message only where the server has nothing specific to say: an internal error
 * (masked in production) or a request that never reached it.
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
  /** What to tell the user: the server's own message (without a leading `field: `) when it has one. */
  message: string;
  /** What to do about it, from the code; null when the message says it already. */
  hint?: string | null;
  /** NEEDS_AUTHORIZATION: where the user can connect. */
  connectUrl: string | null;
}

/** Shown instead of the server's message: it has none worth showing, or the request never reached it. */
const PLAIN: Record<string, string> = {
  INTERNAL_SERVER_ERROR:
    'Something went wrong on the server. Try again; if it persists, check the server logs.',
  NETWORK: 'The Connections server could not be reached. Check your network and try again.',
};

/** Added under the server's message: what to do next. */
const HINT: Record<string, string> = {
  UNAUTHENTICATED: 'Sign in again to continue.',
  FORBIDDEN: 'An admin of the workspace, or the owner of the connection, can do this.',
  NOT_FOUND: 'It may have been deleted, or you may not have access to it.',
  RATE_LIMITED: 'Wait a moment, then try again.',
  TOO_MANY_SUBSCRIPTIONS: 'Close other console tabs, then reload this one.',
  CURSOR_EXPIRED: 'Reload the page to see the current state.',
  UPSTREAM_TIMEOUT: 'Try again in a moment.',
  UPSTREAM_UNAVAILABLE: 'Check the service’s status and try again.',
  RESPONSE_TOO_LARGE: 'Ask for less: a smaller page or a filter.',
  PAYLOAD_TOO_LARGE: 'Send less: smaller or fewer files.',
  REFRESH_FAILED: 'Try again shortly; Reconnect if it keeps failing.',
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
  const sent = withoutFieldPrefix(e.message ?? '', field).trim();
  const message = code === 'INTERNAL_SERVER_ERROR' || !sent ? PLAIN.INTERNAL_SERVER_ERROR! : sent;
  return { code, field, message, hint: HINT[code] ?? null, connectUrl };
}

/** The first error of a urql CombinedError, described; null when there is none. */
export function describeError(error: CombinedErrorLike | null | undefined): DescribedError | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first) return describeApiError(first);
  return { code: 'NETWORK', field: null, message: PLAIN.NETWORK!, hint: null, connectUrl: null };
}

/** The fields one API error names, with their messages: its validation problems, or its own field. */
function problemsOf(e: ApiErrorLike): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const problems = e.extensions?.problems;
  if (Array.isArray(problems))
    for (const p of problems as { field?: unknown; message?: unknown }[])
      if (typeof p.field === 'string' && typeof p.message === 'string')
        out.push({ field: p.field, message: p.message });
  const d = describeApiError(e);
  if (d.field && !out.some((p) => p.field === d.field)) out.push({ field: d.field, message: d.message });
  return out;
}

/** Every field error of a CombinedError, by the field the API named (first message per field). */
export function fieldErrorsOf(error: CombinedErrorLike | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of error?.graphQLErrors ?? []) for (const p of problemsOf(e)) out[p.field] ??= p.message;
  return out;
}

export interface PlacedErrors {
  /** Messages for the form's own fields, by the form's field name. */
  fields: Record<string, string>;
  /** Everything the form has no field for, in one notice for the form's error summary; null when none. */
  summary: DescribedError | null;
}

/** The API's field name as a form knows it: without the operation's `input.` argument prefix. */
export const formFieldName = (field: string) => field.replace(/^input\./, '');

/**
 * The one rule for showing a mutation's errors on a form: an error goes under its field when the form has
 * that field (`fields`, in the form's names), and into the form's summary otherwise, so nothing the API
 * said is ever hidden (a rejected key names `credentials`, a missing OAuth client names `service`: fields
 * the form has no input for). Errors without a field (FORBIDDEN, RATE_LIMITED, a network failure) go to the
 * summary too.
 */
export function placeErrors(
  error: CombinedErrorLike | null | undefined,
  fields: readonly string[],
): PlacedErrors {
  const known = new Set(fields);
  const placed: Record<string, string> = {};
  const rest: DescribedError[] = [];
  for (const e of error?.graphQLErrors ?? []) {
    const d = describeApiError(e);
    const problems = problemsOf(e);
    if (!problems.length) rest.push(d);
    for (const p of problems) {
      const name = formFieldName(p.field);
      if (known.has(name)) placed[name] ??= p.message;
      else rest.push({ ...d, field: null, message: p.message });
    }
  }
  if (error && !error.graphQLErrors.length) rest.push(describeError(error)!);
  if (!rest.length) return { fields: placed, summary: null };
  const message = [...new Set(rest.map((d) => d.message))].join(' ');
  return { fields: placed, summary: { ...rest[0]!, message } };
}

/** The errors of a field map that a form cannot put under one of its `fields`: for its error summary. */
export function unplacedErrors(errors: Record<string, string>, fields: readonly string[]): string[] {
  const known = new Set(fields);
  return [...new Set(Object.entries(errors).flatMap(([f, m]) => (known.has(formFieldName(f)) ? [] : [m])))];
}

/** The fields of the new-connection form (ConnectionForm), as the page hands them over (no `credentials.`). */
export const CONNECTION_FORM_FIELDS = [
  'name',
  'linkName',
  'subdomain',
  'scopes',
  'username',
  'password',
  'apiKey',
] as const;

/** The fields of a catalog service's OAuth client form (ServiceCredentialsForm). */
export const SERVICE_CLIENT_FORM_FIELDS = ['clientId', 'clientSecret'] as const;
