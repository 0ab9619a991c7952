import type { Logger } from 'pino';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { AuthorizationAttemptRow, AuthorizationRow, ConnectionRow } from '../db/entities';
import { notFound } from '../errors';
import type { AuditService } from './audit';
import type { Invalidator } from './invalidation';
import { randomWithin, schedulePeriodic } from './periodic';

/**
 * A connection made with createAndConnect is "not finished" (establishedAt null) until its first authorization
 * succeeds: only its creator sees it, and it lives as long as one of its attempts could still succeed. When the
 * last of its attempts has expired it is removed, with its attempts and its (credential-less) authorization, and
 * its link name is free again: "upon successful authorization, your connection is created".
 *
 * A DENIED or FAILED first attempt does not remove it at once: it stays, not finished, until that attempt would
 * have expired, so that the creator can Resume it (`connect`, a new attempt that moves the deadline) or Discard
 * it (`deleteConnection`) from the console; a user who clicked "Deny" by mistake keeps the name they chose. Its
 * DENIED / FAILED event reaches the subscriber that asked like any other (the creator is its actor and
 * principal), and nothing announces the removal: nobody else ever saw the connection.
 */

/** Candidates per statement, and statements per run: a backlog is worked off over several runs. */
const BATCH = 100;
const ROUNDS = 10;

/**
 * Only attempts that expired at least this long ago count as over. The callback's compare-and-set accepts an
 * attempt up to its expiry and then writes the connection in the same short transaction; the margin keeps a
 * sweep from ever deciding against a callback that is still committing (and from the two taking the attempt
 * and connection rows in opposite orders).
 */
export const SWEEP_GRACE_MS = 60_000;

type Candidate = Pick<ConnectionRow, 'id' | 'workspaceId' | 'name' | 'linkName'>;

export class UnfinishedConnections {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    /** Caches on every replica (invocation plans by link name) drop a removed connection. */
    private readonly invalidator?: Pick<Invalidator, 'invalidate'>,
  ) {}

  /**
   * Removes the not-finished connections whose every attempt expired before `now` (less the grace margin), at
   * most BATCH x ROUNDS per call. Every replica runs it: each removal re-checks its predicate under the
   * connection's row lock, so two replicas removing the same connection remove it once. Returns how many this
   * call removed.
   */
  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - SWEEP_GRACE_MS);
    let removed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const candidates = await this.ds
        .getRepository(ConnectionRow)
        .createQueryBuilder('c')
        .select(['c.id', 'c.workspaceId', 'c.name', 'c.linkName'])
        // Created before the cutoff too: a connection whose first attempt is being written in the same
        // transaction (createAndConnect) has none yet, and SQLite's one connection would show it to this query.
        .where('"c"."establishedAt" IS NULL AND "c"."createdAt" < :cutoff', { cutoff })
        .andWhere(
          `NOT EXISTS (SELECT 1 FROM "authorization_attempt" "t" WHERE "t"."connectionId" = "c"."id" AND "t"."expiresAt" > :cutoff)`,
          { cutoff },
        )
        .orderBy('c.createdAt', 'ASC')
        .limit(BATCH)
        .getMany();
      for (const c of candidates)
        if (await this.removeIfOver(c, cutoff)) {
          removed++;
          this.invalidator?.invalidate('connection', c.id);
        }
      if (candidates.length < BATCH) break;
    }
    return removed;
  }

  /** One connection, in one transaction: the row lock first, then the predicate again, then the rows. */
  private removeIfOver(c: Candidate, cutoff: Date): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      if (!(await lockUnfinished(m, c.id))) return false; // finished meanwhile, or removed by another replica
      // A fresh statement after the lock: a Resume that committed while this waited shows its new attempt here.
      const open = await m
        .getRepository(AuthorizationAttemptRow)
        .createQueryBuilder('t')
        .where('"t"."connectionId" = :id AND "t"."expiresAt" > :cutoff', { id: c.id, cutoff })
        .getCount();
      if (open) return false;
      await m.delete(AuthorizationAttemptRow, { connectionId: c.id });
      await m.delete(AuthorizationRow, { connectionId: c.id });
      const { affected } = await m.delete(ConnectionRow, { id: c.id });
      if (affected !== 1) return false;
      await this.audit.record(
        { workspaceId: c.workspaceId, userId: null },
        {
          action: 'connection.expired',
          targetType: 'connection',
          targetId: c.id,
          connectionId: c.id,
          message: `Removed connection "${c.name}" (${c.linkName}): its first authorization did not succeed before its link expired`,
          metadata: { linkName: c.linkName },
        },
        m,
      );
      return true;
    });
  }
}

/**
 * Takes the row lock of a not-finished connection in the caller's transaction (an update that changes nothing
 * else), so that a sweep and a Resume of the same connection go one after the other; false when the connection
 * is gone or finished. Portable: no dialect's SELECT ... FOR UPDATE.
 */
export async function lockUnfinished(m: EntityManager, connectionId: string): Promise<boolean> {
  const { affected } = await m
    .createQueryBuilder()
    .update(ConnectionRow)
    .set({ establishedAt: null })
    .where('id = :id AND "establishedAt" IS NULL', { id: connectionId })
    .execute();
  return affected === 1;
}

/**
 * Before a new attempt on a not-finished connection (Resume): holds its row so that a sweep cannot remove it
 * under the attempt, and NOT_FOUND when a sweep already did. A connection that got finished meanwhile is fine.
 */
export async function holdForNewAttempt(
  m: EntityManager,
  connection: Pick<ConnectionRow, 'id' | 'establishedAt'>,
): Promise<void> {
  if (connection.establishedAt || (await lockUnfinished(m, connection.id))) return;
  if (!(await m.countBy(ConnectionRow, { id: connection.id }))) throw notFound('Connection');
}

/**
 * The first successful authorization finishes the connection, in the transaction that makes it CONNECTED. A
 * compare-and-set: only the first one writes, later authorizations leave the date alone.
 */
export async function establish(m: EntityManager, connectionId: string): Promise<void> {
  await m
    .createQueryBuilder()
    .update(ConnectionRow)
    .set({ establishedAt: new Date() })
    .where('id = :id AND "establishedAt" IS NULL', { id: connectionId })
    .execute();
}

/**
 * Fills `unfinishedExpiresAt` of the not-finished connections among `views` (connectionView leaves it null):
 * the expiry of the latest attempt, after which the next sweep removes the connection. One query, and none when
 * every view is finished (a list of others' connections, which are all finished).
 */
export async function withUnfinishedDeadlines<
  V extends { id: string; finished: boolean; unfinishedExpiresAt: Date | null },
>(m: EntityManager, views: V[]): Promise<V[]> {
  const unfinished = new Map(views.filter((v) => !v.finished).map((v) => [v.id, v]));
  if (!unfinished.size) return views;
  const attempts = await m.find(AuthorizationAttemptRow, {
    where: { connectionId: In([...unfinished.keys()]) },
    select: { id: true, connectionId: true, expiresAt: true },
  });
  for (const a of attempts) {
    const view = unfinished.get(a.connectionId)!;
    if (!view.unfinishedExpiresAt || a.expiresAt > view.unfinishedExpiresAt)
      view.unfinishedExpiresAt = a.expiresAt;
  }
  return views;
}

export interface UnfinishedCleanupJob {
  /** Stops the timer and waits for a run in progress (the database closes next). */
  stop(): Promise<void>;
}

const EVERY = 60_000;

/**
 * Removes expired not-finished connections in the background on every replica, like event retention: no
 * leader, since a removal re-checks its predicate under the row lock; the first run at a random point of the
 * first interval; timers that do not keep the process alive.
 */
export function scheduleUnfinishedCleanup(
  unfinished: Pick<UnfinishedConnections, 'sweep'>,
  logger: Logger,
  everyMs = EVERY,
): UnfinishedCleanupJob {
  return schedulePeriodic({
    everyMs,
    firstDelayMs: randomWithin(everyMs),
    run: () =>
      unfinished.sweep().then(
        (removed) =>
          void (removed && logger.info({ removed }, 'removed connections whose first authorization expired')),
        (err: unknown) =>
          logger.warn({ err }, 'could not remove expired unfinished connections; next run retries'),
      ),
  });
}
