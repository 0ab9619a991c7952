import type { Logger } from 'pino';
import type { EventLog } from './event-log';
import { randomWithin, schedulePeriodic } from './periodic';

export interface RetentionJob {
  /** Stops the timer and waits for a run in progress (the database closes next). */
  stop(): Promise<void>;
}

const EVERY = 10 * 60_000;

/**
 * Deletes events past retention in the background. Every replica runs it: a run is a few bounded, indexed
 * statements that delete nothing when another replica got there first (EventLog.deleteExpired), so there is
 * no leader to elect. The first run comes at a random point of the first interval, so replicas started
 * together spread their runs out; the timers do not keep the process alive.
 */
export function scheduleEventRetention(log: EventLog, logger: Logger, everyMs = EVERY): RetentionJob {
  return schedulePeriodic({
    everyMs,
    firstDelayMs: randomWithin(everyMs),
    run: () =>
      log.deleteExpired().then(
        (deleted) =>
          void (deleted && logger.info({ deleted }, 'deleted authorization events past retention')),
        (err: unknown) =>
          logger.warn({ err }, 'could not delete authorization events past retention; next run retries'),
      ),
  });
}
