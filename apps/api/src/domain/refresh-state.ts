import { type Credentials, refreshDueAt } from '@connections/auth-flows';
import type { AuthorizationStatus } from '../db/entities/authorization';

/** What the columns say about stored credentials, written with them (connected, refreshed, backfill). */
export function tokenColumns(credentials: Credentials) {
  const oauth2 = credentials.type === 'OAUTH2';
  const due = refreshDueAt(credentials);
  return {
    expiresAt: oauth2 && credentials.expiresAt ? new Date(credentials.expiresAt) : null,
    hasRefreshToken: oauth2 && !!credentials.refreshToken,
    refreshDueAt: due === undefined ? null : new Date(due),
  };
}

/** A grant that worked: no refresh in flight, no failure streak, no backoff. */
export const REFRESH_RESET = { refreshStartedAt: null, refreshFailures: 0, nextRefreshAt: null };

/** Credentials removed (revoked, or their hosts changed): nothing left to refresh. */
export const NO_TOKENS = {
  credentialsEncrypted: null,
  expiresAt: null,
  hasRefreshToken: false,
  refreshDueAt: null,
};

/**
 * A REFRESHING older than this outlived its holder: a refresh is one token request (15 s time limit) and one
 * short transaction after the lock is taken, so a holder still at it after a minute has died (kill -9, a lost
 * database connection).
 */
export const REFRESHING_STALE_MS = 60_000;

/**
 * The status to show and act on. REFRESHING is written while a token request is in flight; one left behind by
 * a holder that died reads as the status before it (REFRESH_FAILED when the last refresh had failed, which is
 * what lastError still says, CONNECTED otherwise), so no connection is ever stuck in REFRESHING.
 */
export function effectiveStatus(
  a: { status: AuthorizationStatus; refreshStartedAt?: Date | null; lastError?: string | null },
  now = Date.now(),
): AuthorizationStatus {
  if (a.status !== 'REFRESHING') return a.status;
  const since = a.refreshStartedAt?.getTime();
  if (since !== undefined && now - since < REFRESHING_STALE_MS) return 'REFRESHING';
  return a.lastError ? 'REFRESH_FAILED' : 'CONNECTED';
}
