import type { Credentials } from '../types';

export interface FreshnessOptions {
  /** Refresh this long before the recorded expiry. Default 5 minutes. */
  marginMs?: number;
  /**
   * Added to the margin: the expiry was computed from `expires_in` on our clock when the response
   * arrived, and the provider's clock and the network delay are not ours. Default 30 seconds.
   */
  clockSkewMs?: number;
}

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
export const DEFAULT_CLOCK_SKEW_MS = 30_000;

/**
 * Whether OAuth 2.0 credentials should be refreshed before use. A token without a known expiry is
 * never refreshed proactively: only a 401 from the API says it is dead.
 */
export function needsRefresh(
  credentials: Credentials,
  now = Date.now(),
  options: FreshnessOptions = {},
): boolean {
  if (credentials.type !== 'OAUTH2' || credentials.expiresAt === undefined) return false;
  const early =
    (options.marginMs ?? DEFAULT_REFRESH_MARGIN_MS) + (options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS);
  return now >= credentials.expiresAt - early;
}

/** Whether the access token is past its expiry (with the skew tolerance only). */
export function isExpired(
  credentials: Credentials,
  now = Date.now(),
  clockSkewMs = DEFAULT_CLOCK_SKEW_MS,
): boolean {
  return (
    credentials.type === 'OAUTH2' &&
    credentials.expiresAt !== undefined &&
    now >= credentials.expiresAt - clockSkewMs
  );
}
