import { AppError } from '../errors';

/** The caller's retry request (invokeUrl `retry`). */
export interface RetryInput {
  attempts: number;
  onStatuses?: number[] | null;
  anyMethod?: boolean | null;
}

/** One call's options, checked: the whole call's time limit, redirects, retries. */
export interface CallOptions {
  timeoutMs: number;
  followRedirects: boolean;
  /** Absent: one attempt (the 401 refresh aside). */
  retry?: { attempts: number; onStatuses: ReadonlySet<number> };
}

export const MAX_ATTEMPTS = 5;
/** The statuses that usually pass: rate limited, and a gateway or the service briefly unavailable. */
export const DEFAULT_RETRY_STATUSES = [429, 502, 503, 504];
// RFC 9110 9.2.2: a request repeated with one of these has the effect of sending it once.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

const bad = (field: string, message: string) =>
  new AppError('BAD_USER_INPUT', `${field}: ${message}`, { field });

/**
 * The call's options, or undefined when the caller gave none (the common call: the deployment's limit, no
 * redirect, one attempt, and no work spent here).
 */
export function callOptions(
  input: { timeoutMs?: number | null; followRedirects?: boolean | null; retry?: RetryInput | null },
  method: string,
  maxTimeoutMs: number,
): CallOptions | undefined {
  if (input.timeoutMs == null && !input.followRedirects && input.retry == null) return undefined;
  const timeoutMs = input.timeoutMs ?? maxTimeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > maxTimeoutMs)
    throw bad('timeoutMs', `must be a whole number of milliseconds from 1 to ${maxTimeoutMs} (the maximum)`);
  return { timeoutMs, followRedirects: !!input.followRedirects, retry: retryOf(input.retry, method) };
}

function retryOf(retry: RetryInput | null | undefined, method: string): CallOptions['retry'] {
  if (retry == null) return undefined;
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1 || retry.attempts > MAX_ATTEMPTS)
    throw bad('retry.attempts', `must be from 1 to ${MAX_ATTEMPTS}`);
  const statuses = retry.onStatuses ?? DEFAULT_RETRY_STATUSES;
  if (!statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599))
    throw bad('retry.onStatuses', 'must be HTTP statuses from 400 to 599');
  if (!IDEMPOTENT.has(method) && !retry.anyMethod)
    throw bad(
      'retry',
      `${method} is not idempotent (RFC 9110 9.2.2): a retry may repeat its effect; set anyMethod to retry it anyway`,
    );
  return { attempts: retry.attempts, onStatuses: new Set(statuses) };
}

const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 10_000;

/**
 * How long to wait before attempt `next` (2, 3, ...): the upstream's Retry-After on 429 and 503 (RFC 9110
 * 10.2.3; RFC 6585 4), as seconds or an HTTP date; otherwise exponential backoff with full jitter (a random
 * wait up to base * 2^(n-2), capped), so that callers retrying together do not come back together.
 */
export function retryDelayMs(
  next: number,
  status: number,
  retryAfter: string | string[] | undefined,
  now = Date.now(),
): number {
  const given = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  if ((status === 429 || status === 503) && given !== undefined) {
    const trimmed = given.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
    const at = Date.parse(trimmed);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return Math.floor(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (next - 2)));
}
