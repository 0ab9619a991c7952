import type { Logger } from 'pino';
import { type DataSource, In } from 'typeorm';
import { type AuthorizationRow, ConnectionRow } from '../db/entities';
import type { AuthorizationStore } from './authorization-store';
import type { Refresher } from './refresher';
import type { ServiceRegistry } from './service-registry';
import { randomWithin, schedulePeriodic } from './periodic';

export interface BackgroundRefreshOptions {
  /** How often a run looks for tokens to refresh; a run refreshes those due before the next one. */
  intervalMs: number;
  /** At most this many authorizations per run (the rest wait for the next runs, soonest due first). */
  batch: number;
  /** Only authorizations an invocation used within this long: idle ones are refreshed on their next call. */
  recentMs: number;
}

export interface BackgroundRun {
  /** Authorizations found due before the next run. */
  candidates: number;
  /** Of those, how many ended in an error (recorded by the refresher: REFRESH_FAILED, NEEDS_REAUTH). */
  failed: number;
}

/** Token requests a run has in flight at once: a full batch must not open fifty at the same moment. */
const CONCURRENCY = 4;

/**
 * Refreshes, ahead of their calls, the tokens of authorizations in regular use that become due before the next
 * run, so a call rarely waits for a token request and a short provider outage passes unnoticed (the retry runs
 * in the background, under the same backoff). Every replica runs it with no leader: each refresh goes through
 * the refresher's single-flight and the cluster's lock, and the lock holder re-reads the row first, so a token
 * another replica just refreshed is not due any more and is left alone.
 */
export class BackgroundRefresh {
  constructor(
    private readonly ds: DataSource,
    private readonly store: AuthorizationStore,
    private readonly registry: ServiceRegistry,
    private readonly refresher: Refresher,
    private readonly options: BackgroundRefreshOptions,
  ) {}

  /** One run: refreshes the authorizations due within `ahead` (by default, before the next run). */
  async runOnce(now = Date.now(), ahead = this.options.intervalMs): Promise<BackgroundRun> {
    const due = await this.store.dueForRefresh({
      dueBefore: new Date(now + ahead),
      usedSince: new Date(now - this.options.recentMs),
      now: new Date(now),
      limit: this.options.batch,
      clientCredentialsSlugs: this.registry.clientCredentialsSlugs(),
    });
    if (due.length === 0) return { candidates: 0, failed: 0 };
    const rows = await this.ds.getRepository(ConnectionRow).find({
      where: { id: In([...new Set(due.map((a) => a.connectionId))]) },
      relations: { service: true },
    });
    const connections = new Map(rows.map((c) => [c.id, c]));
    let failed = 0;
    const refresh = async (auth: AuthorizationRow) => {
      const connection = connections.get(auth.connectionId);
      if (!connection) return;
      try {
        const { definition, client } = this.registry.protocolFor(connection);
        await this.refresher.refreshAhead(connection, auth, definition, client, ahead);
      } catch {
        failed += 1;
      }
    };
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await refresh(next);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
    return { candidates: due.length, failed };
  }
}

export interface BackgroundRefreshJob {
  /** Stops the timer and waits for a run in progress (the database closes next). */
  stop(): Promise<void>;
}

/**
 * Runs the background refresh every interval on this replica. The first run comes at a random point of the
 * second half of the first interval, so replicas started together spread out and a start-up is not also a
 * burst of token requests; the timers do not keep the process alive.
 */
export function scheduleBackgroundRefresh(
  job: BackgroundRefresh,
  logger: Logger,
  everyMs: number,
): BackgroundRefreshJob {
  return schedulePeriodic({
    everyMs,
    firstDelayMs: Math.floor(everyMs / 2 + randomWithin(everyMs) / 2),
    run: () =>
      job.runOnce().then(
        (r) => void (r.failed && logger.warn(r, 'background token refresh: some refreshes failed')),
        (err: unknown) => logger.warn({ err }, 'background token refresh failed; the next run retries'),
      ),
  });
}
