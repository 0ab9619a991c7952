import type { DescribedError } from './errors';

/**
 * What "Try a request" shows, as a pure state: the last answer or the last error, never both and never one
 * that no longer holds. Sending clears the previous outcome at once; an authorization change for this
 * connection (Reconnect finished, a refresh recovered) retires an error that was about the authorization, and
 * says what changed, so "not authorized for you yet" does not outlive the Reconnect that fixed it.
 */
export interface TryState<R> {
  sending: boolean;
  response: R | null;
  error: DescribedError | null;
  /** A short note on what changed since the last outcome (e.g. "Connected: send the request again."). */
  notice: string | null;
}

export type TryEvent<R> =
  | { type: 'send' }
  | { type: 'answered'; response: R }
  | { type: 'failed'; error: DescribedError }
  | { type: 'authorization'; status: string };

export const initialTry = <R>(): TryState<R> => ({
  sending: false,
  response: null,
  error: null,
  notice: null,
});

/** Errors about the connection's authorization: the ones a change of its status can make stale. */
const AUTHORIZATION_CODES = new Set(['NEEDS_AUTHORIZATION', 'REFRESH_FAILED', 'UNAUTHENTICATED']);
/** Statuses in which a call can go out. */
const USABLE = new Set(['CONNECTED', 'REFRESHING']);

export function tryReducer<R>(s: TryState<R>, e: TryEvent<R>): TryState<R> {
  switch (e.type) {
    case 'send':
      return { sending: true, response: null, error: null, notice: null };
    case 'answered':
      return { sending: false, response: e.response, error: null, notice: null };
    case 'failed':
      return { sending: false, response: null, error: e.error, notice: null };
    case 'authorization': {
      if (!s.error || !AUTHORIZATION_CODES.has(s.error.code)) return s;
      if (!USABLE.has(e.status)) return s;
      return { ...s, error: null, notice: 'The connection is authorized now: send the request again.' };
    }
  }
}
