import type { AuthorizationEventType } from '@connections/schema';
import { type DataSource, type EntityManager, In, LessThanOrEqual } from 'typeorm';
import { AuthorizationEventRow, ConnectionRow, WorkspaceRow } from '../db/entities';
import type { AuthorizationEventPayload, RecordedEvent } from './authorization-events';
import { cursorExpired, encodeCursor } from './event-cursor';

/** What a reader narrows the log to; every field given must match. */
export interface EventFilter {
  connectionId?: string | null;
  attemptId?: string | null;
  types?: AuthorizationEventType[] | null;
  extensionId?: string | null;
}

export function matchesFilter(e: AuthorizationEventPayload, f: EventFilter): boolean {
  return (
    (!f.connectionId || e.connectionId === f.connectionId) &&
    (!f.attemptId || e.attemptId === f.attemptId) &&
    (!f.types?.length || f.types.includes(e.type)) &&
    (!f.extensionId || e.extensionId === f.extensionId)
  );
}

// Rows per multi-row INSERT: 16 columns each stays under SQLite's 999 bound parameters.
const INSERT_CHUNK = 50;
const RETENTION_BATCH = 500;
const RETENTION_ROUNDS = 20;

/**
 * The durable, per-workspace log of authorization events.
 *
 * Cursors: a counter on the workspace row, incremented by `append` in the events' own transaction. The UPDATE
 * takes the workspace row's lock and holds it until commit, so event writers of one workspace go one after
 * another: cursor order is commit order, and cursors are gapless (a rolled-back transaction rolls its
 * increment back too). So a reader that sees cursor N committed knows every cursor below N has committed:
 * replay reads up to the counter's committed value and never skips an event still in flight, and a live
 * event whose cursor jumps ahead means the ones in between are already readable (event-feed.ts). A database
 * sequence would not do: its values are handed out at insert, not at commit, so N+1 can be visible before N.
 * The cost is that event writers of one workspace serialize for the last moments of their transactions.
 */
export class EventLog {
  constructor(
    private readonly ds: DataSource,
    private readonly retentionMs: number,
  ) {}

  /** The last cursor handed out in the workspace, as committed (0: none yet). */
  async head(workspaceId: string): Promise<number> {
    const row = await this.ds
      .getRepository(WorkspaceRow)
      .findOne({ where: { id: workspaceId }, select: { id: true, eventCursor: true } });
    return row?.eventCursor ?? 0;
  }

  /**
   * Gives `recorded` their cursors and writes them to the log, in the caller's transaction (see the class
   * comment; EventTx.seal calls it last). Workspaces are locked in id order, so two transactions with events
   * of several workspaces cannot wait on each other.
   */
  async append(m: EntityManager, recorded: RecordedEvent[]): Promise<AuthorizationEventPayload[]> {
    const extensions = await this.extensionsOf(m, recorded);
    const byWorkspace = new Map<string, RecordedEvent[]>();
    for (const e of recorded) {
      const list = byWorkspace.get(e.workspaceId);
      if (list) list.push(e);
      else byWorkspace.set(e.workspaceId, [e]);
    }
    const sealed = new Map<RecordedEvent, AuthorizationEventPayload>();
    for (const workspaceId of [...byWorkspace.keys()].sort()) {
      const events = byWorkspace.get(workspaceId)!;
      const last = await this.advance(m, workspaceId, events.length);
      events.forEach((e, i) => {
        const seq = last - events.length + 1 + i;
        const extensionId =
          e.extensionId !== undefined ? e.extensionId : (extensions.get(e.connectionId) ?? null);
        sealed.set(e, { ...e, extensionId, seq, cursor: encodeCursor(workspaceId, seq) });
      });
    }
    const payloads = recorded.map((e) => sealed.get(e)!);
    for (let i = 0; i < payloads.length; i += INSERT_CHUNK)
      await m
        .createQueryBuilder()
        .insert()
        .into(AuthorizationEventRow)
        .values(payloads.slice(i, i + INSERT_CHUNK).map(rowOf))
        .updateEntity(false)
        .execute();
    return payloads;
  }

  /** Moves the workspace's counter on by `n` (taking its row lock until commit); returns the new value. */
  private async advance(m: EntityManager, workspaceId: string, n: number): Promise<number> {
    const { affected } = await m
      .createQueryBuilder()
      .update(WorkspaceRow)
      .set({ eventCursor: () => `"eventCursor" + ${n}` })
      .where('id = :id', { id: workspaceId })
      .updateEntity(false)
      .execute();
    if (affected !== 1) throw new Error(`no workspace ${workspaceId} to record an authorization event in`);
    const row = await m.findOne(WorkspaceRow, {
      where: { id: workspaceId },
      select: { id: true, eventCursor: true },
    });
    return row!.eventCursor;
  }

  /** Extension ids of the connections whose rows the callers did not pass with one, in one query per 500. */
  private async extensionsOf(
    m: EntityManager,
    recorded: RecordedEvent[],
  ): Promise<Map<string, string | null>> {
    const ids = [...new Set(recorded.filter((e) => e.extensionId === undefined).map((e) => e.connectionId))];
    const found = new Map<string, string | null>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await m.find(ConnectionRow, {
        where: { id: In(ids.slice(i, i + 500)) },
        select: { id: true, extensionId: true },
      });
      for (const r of rows) found.set(r.id, r.extensionId ?? null);
    }
    return found;
  }

  /** Up to `limit` events with `after < cursor <= upTo` that match `filter`, in cursor order. */
  async read(
    workspaceId: string,
    after: number,
    upTo: number,
    filter: EventFilter,
    limit: number,
  ): Promise<AuthorizationEventPayload[]> {
    const qb = this.ds
      .getRepository(AuthorizationEventRow)
      .createQueryBuilder('e')
      .where('e.workspaceId = :workspaceId', { workspaceId })
      .andWhere('e.cursor > :after AND e.cursor <= :upTo', { after, upTo });
    if (filter.connectionId) qb.andWhere('e.connectionId = :cid', { cid: filter.connectionId });
    if (filter.attemptId) qb.andWhere('e.attemptId = :aid', { aid: filter.attemptId });
    if (filter.extensionId) qb.andWhere('e.extensionId = :xid', { xid: filter.extensionId });
    if (filter.types?.length) qb.andWhere('e.type IN (:...types)', { types: filter.types });
    const rows = await qb.orderBy('e.cursor', 'ASC').limit(limit).getMany();
    return rows.map(payloadOf);
  }

  /**
   * CURSOR_EXPIRED when retention has deleted an event after `after`. Retention deletes a prefix of each
   * workspace's log (deleteExpired), and cursors are gapless, so that is the case exactly when the oldest
   * event left is past `after + 1`, or none is left while the counter is past `after`.
   */
  async assertRetained(workspaceId: string, after: number, head: number): Promise<void> {
    const row = await this.ds
      .getRepository(AuthorizationEventRow)
      .createQueryBuilder('e')
      .select('MIN(e.cursor)', 'oldest')
      .where('e.workspaceId = :workspaceId', { workspaceId })
      .getRawOne<{ oldest: string | number | null }>();
    const oldest = row?.oldest == null ? null : Number(row.oldest);
    if (oldest === null ? head > after : oldest > after + 1) throw cursorExpired();
  }

  /**
   * Deletes events older than the retention period, at most RETENTION_ROUNDS batches per call, so a backlog is
   * worked off over several runs. Each batch deletes, per workspace, every cursor up to the newest expired one
   * (a prefix: assertRetained depends on it). Idempotent: replicas running it together delete the same rows,
   * and the later one finds nothing. Returns how many rows this call deleted.
   */
  async deleteExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionMs);
    const repo = this.ds.getRepository(AuthorizationEventRow);
    let deleted = 0;
    for (let round = 0; round < RETENTION_ROUNDS; round++) {
      const expired = await repo
        .createQueryBuilder('e')
        .select(['e.id', 'e.workspaceId', 'e.cursor'])
        .where('e.at < :cutoff', { cutoff })
        .orderBy('e.at', 'ASC')
        .limit(RETENTION_BATCH)
        .getMany();
      const upTo = new Map<string, number>();
      for (const e of expired) upTo.set(e.workspaceId, Math.max(e.cursor, upTo.get(e.workspaceId) ?? 0));
      for (const [workspaceId, cursor] of upTo) {
        const result = await repo.delete({ workspaceId, cursor: LessThanOrEqual(cursor) });
        deleted += result.affected ?? 0;
      }
      if (expired.length < RETENTION_BATCH) break;
    }
    return deleted;
  }
}

function rowOf(e: AuthorizationEventPayload): AuthorizationEventRow {
  return {
    id: e.id,
    workspaceId: e.workspaceId,
    cursor: e.seq,
    type: e.type,
    connectionId: e.connectionId,
    extensionId: e.extensionId,
    linkName: e.linkName,
    ownerId: e.ownerId,
    principalId: e.principal.id,
    principalEmail: e.principal.email,
    principalName: e.principal.displayName,
    actorId: e.actorId,
    status: e.status,
    attemptId: e.attemptId,
    message: e.message,
    at: new Date(e.at),
  };
}

function payloadOf(r: AuthorizationEventRow): AuthorizationEventPayload {
  return {
    id: r.id,
    type: r.type as AuthorizationEventType,
    workspaceId: r.workspaceId,
    connectionId: r.connectionId,
    extensionId: r.extensionId ?? null,
    linkName: r.linkName,
    ownerId: r.ownerId,
    principal: { id: r.principalId, email: r.principalEmail, displayName: r.principalName },
    actorId: r.actorId ?? null,
    status: r.status,
    attemptId: r.attemptId ?? null,
    at: r.at,
    message: r.message,
    seq: r.cursor,
    cursor: encodeCursor(r.workspaceId, r.cursor),
  };
}
