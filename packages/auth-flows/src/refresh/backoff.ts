export interface RefreshBackoffOptions {
  /** The shortest wait after a failure, and the unit the windows double from. Default 1 s. */
  baseMs?: number;
  /** The longest wait. Default 5 minutes. */
  capMs?: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 1_000;
export const DEFAULT_BACKOFF_CAP_MS = 5 * 60_000;

/**
 * How long to leave the token endpoint alone after the `failures`-th transient failure in a row (1 for the
 * first): exponential windows with full jitter (a uniformly random point of the window, so that many
 * authorizations that failed together during a provider outage do not come back together), capped. The wait
 * never drops below `baseMs`: full jitter alone may draw ~0, and a burst of calls right after a failure would
 * then reach the endpoint again at once, which is what the backoff is for.
 */
export function refreshBackoffMs(
  failures: number,
  options: RefreshBackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = Math.max(base, options.capMs ?? DEFAULT_BACKOFF_CAP_MS);
  // 2^failures, bounded so that a long outage cannot overflow to Infinity.
  const window = Math.min(cap, base * 2 ** Math.min(Math.max(failures, 1), 30));
  return Math.round(base + random() * (window - base));
}
