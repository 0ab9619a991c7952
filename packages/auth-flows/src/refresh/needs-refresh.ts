import type { Credentials, OAuth2Credentials } from '../types';

export interface FreshnessOptions {
  /** Refresh at most this long before the recorded expiry. Default 5 minutes. */
  marginMs?: number;
  /**
   * Added to the margin: the expiry was computed from `expires_in` on our clock when the response
   * arrived, and the provider's clock and the network delay are not ours. Default 30 seconds.
   */
  clockSkewMs?: number;
  /**
   * The lead never exceeds this fraction of the token's lifetime (when its issue time is known), so a
   * freshly issued token is never due, however short-lived. Default 0.5.
   */
  lifetimeFraction?: number;
}

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
export const DEFAULT_CLOCK_SKEW_MS = 30_000;
export const DEFAULT_LIFETIME_FRACTION = 0.5;

/**
 * How long before its expiry a token is due for refresh: the fixed margin (plus skew), scaled down for
 * short-lived tokens to a fraction of their lifetime. A fixed margin alone made every token living as long
 * as the margin or less (Keycloak's default is 300 s) "due" from the moment it was issued: one refresh per
 * call. Without a known issue time (credentials stored before it was recorded) the fixed margin applies.
 */
export function refreshLeadMs(credentials: OAuth2Credentials, options: FreshnessOptions = {}): number {
  const fixed =
    (options.marginMs ?? DEFAULT_REFRESH_MARGIN_MS) + (options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS);
  const { expiresAt, issuedAt } = credentials;
  if (expiresAt === undefined || issuedAt === undefined || expiresAt <= issuedAt) return fixed;
  const fraction = options.lifetimeFraction ?? DEFAULT_LIFETIME_FRACTION;
  return Math.min(fixed, Math.floor((expiresAt - issuedAt) * fraction));
}

/**
 * When the credentials become due for a proactive refresh (epoch ms), or undefined when they never are: a
 * token without a known expiry is refreshed only after an API answered 401.
 */
export function refreshDueAt(credentials: Credentials, options: FreshnessOptions = {}): number | undefined {
  if (credentials.type !== 'OAUTH2' || credentials.expiresAt === undefined) return undefined;
  return credentials.expiresAt - refreshLeadMs(credentials, options);
}

/** Whether OAuth 2.0 credentials should be refreshed before use (see refreshDueAt). */
export function needsRefresh(
  credentials: Credentials,
  now = Date.now(),
  options: FreshnessOptions = {},
): boolean {
  const due = refreshDueAt(credentials, options);
  return due !== undefined && now >= due;
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
