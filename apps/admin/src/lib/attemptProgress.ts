import type { ConnectionStatus } from '../generated/graphql';

/**
 * The progress of one Create and Connect (or Reconnect) attempt, driven by the mutation, the popup and the
 * authorization events. The first terminal outcome wins, whether it came from the popup's postMessage or from
 * the subscription: both report the same attempt.
 */
export type AttemptPhase =
  'idle' | 'starting' | 'awaiting-user' | 'redirecting' | 'connected' | 'denied' | 'failed' | 'closed';

export interface AttemptState {
  phase: AttemptPhase;
  attemptId: string | null;
  connectionId: string | null;
  message: string | null;
  /** The steps shown as a timeline, in order. */
  log: { at: number; text: string }[];
}

export type AttemptAction =
  | { type: 'start' }
  | { type: 'started'; attemptId: string | null; connectionId: string; popup: boolean }
  | { type: 'redirect' }
  | { type: 'connected-inline'; connectionId: string }
  | { type: 'outcome'; attemptId: string | null; status: ConnectionStatus | string; message?: string | null }
  | { type: 'popup-closed'; reason?: string | null }
  | { type: 'error'; message: string }
  | { type: 'reset' };

export const initialAttempt = (): AttemptState => ({
  phase: 'idle',
  attemptId: null,
  connectionId: null,
  message: null,
  log: [],
});

const TERMINAL: AttemptPhase[] = ['connected', 'denied', 'failed'];
export const isTerminal = (p: AttemptPhase) => TERMINAL.includes(p);
export const isBusy = (p: AttemptPhase) => p === 'starting' || p === 'awaiting-user' || p === 'redirecting';

const step = (s: AttemptState, text: string, now: number) => [...s.log, { at: now, text }];

export function attemptReducer(s: AttemptState, a: AttemptAction, now = Date.now()): AttemptState {
  switch (a.type) {
    case 'reset':
      return initialAttempt();
    case 'start':
      return {
        ...initialAttempt(),
        phase: 'starting',
        log: [{ at: now, text: 'Creating the authorization…' }],
      };
    case 'started':
      return {
        ...s,
        phase: 'awaiting-user',
        attemptId: a.attemptId,
        connectionId: a.connectionId,
        log: step(
          s,
          a.popup ? 'Waiting for you to approve access in the popup window…' : 'Waiting for the provider…',
          now,
        ),
      };
    case 'redirect':
      return {
        ...s,
        phase: 'redirecting',
        log: step(s, 'The popup was blocked: continuing in this tab…', now),
      };
    case 'connected-inline':
      return {
        ...s,
        phase: 'connected',
        connectionId: a.connectionId,
        message: 'The credentials were accepted.',
        log: step(s, 'Connected.', now),
      };
    case 'outcome': {
      if (isTerminal(s.phase)) return s;
      if (s.attemptId && a.attemptId && a.attemptId !== s.attemptId) return s;
      const phase: AttemptPhase =
        a.status === 'CONNECTED'
          ? 'connected'
          : a.status === 'DENIED'
            ? 'denied'
            : a.status === 'FAILED'
              ? 'failed'
              : s.phase;
      if (phase === s.phase) return s;
      const text =
        phase === 'connected'
          ? 'Connected.'
          : phase === 'denied'
            ? 'Access was denied.'
            : 'The authorization failed.';
      return { ...s, phase, message: a.message ?? null, log: step(s, text, now) };
    }
    case 'popup-closed': {
      if (s.phase !== 'awaiting-user') return s;
      // A known cause (the console is not at PUBLIC_URL's address) beats a guess.
      const message = a.reason ?? 'The window was closed before the authorization finished.';
      return { ...s, phase: 'closed', message, log: step(s, message, now) };
    }
    case 'error':
      return { ...s, phase: 'failed', message: a.message, log: step(s, a.message, now) };
  }
}
