/** A background job's handle: stop() ends its timers and waits for the run in progress. */
export interface PeriodicJob {
  stop(): Promise<void>;
}

/**
 * Runs `run` every `everyMs` on this replica, never two runs at once (a tick while one is in progress is skipped),
 * the first after `firstDelayMs` when given (replicas started together spread their runs out). Timers do not keep
 * the process alive; a run's own errors are the caller's to log (a rejection here would be unhandled). The one
 * home of the scheduling that every background job shares: event retention, webhook delivery, background refresh,
 * the cleanup of unfinished connections.
 */
export function schedulePeriodic(opts: {
  everyMs: number;
  firstDelayMs?: number;
  run: (stopped: () => boolean) => Promise<void>;
}): PeriodicJob {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = opts.run(() => stopped).finally(() => (running = undefined));
  };
  const first = opts.firstDelayMs === undefined ? undefined : setTimeout(tick, opts.firstDelayMs);
  const timer = setInterval(tick, opts.everyMs);
  first?.unref();
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

/** A random point of the interval, so that replicas started together do not run in step. */
export function randomWithin(everyMs: number): number {
  return Math.floor(Math.random() * everyMs);
}
