import { createHmac, randomBytes } from 'node:crypto';

/** A new signing secret: 32 random bytes, prefixed so that a leaked one is recognisable in a scan. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * `Connections-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the scheme the best-known
 * payment platforms use: the timestamp is signed with the body, so a receiver that refuses old timestamps
 * refuses replays, and existing verification code applies with a different header name.
 */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export const RETRY_WINDOW_MS = 24 * 3_600_000;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 3_600_000;

/**
 * The wait before the next attempt, after `attempts` failed ones: 30 s doubling up to 1 h, each within
 * +/-20% (jitter, so that endpoints coming back are not hit by every queued delivery at once). A
 * Retry-After from the receiver replaces it.
 */
export function retryDelayMs(attempts: number, retryAfterMs: number | null, random = Math.random): number {
  if (retryAfterMs !== null) return Math.max(1000, retryAfterMs);
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 section 10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d{1,9}$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Network errors, 5xx, 408 and 429 are worth another attempt; any other 4xx (and 3xx: redirects are not followed) is final. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
