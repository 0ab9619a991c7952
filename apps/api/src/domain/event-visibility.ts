import type { DataSource } from 'typeorm';
import { ConnectionRow } from '../db/entities';
import type { ConnectionVisibility } from './access';
import { type AuthorizationEventPayload, canSeeEvent } from './authorization-events';
import type { Invalidator } from './invalidation';
import type { Viewer } from './viewer';

/** How long a looked-up row is trusted while invalidations arrive, and while they may be missed. */
const LIVE_TTL_MS = 5_000;
const UNINFORMED_TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

type Entry = { row: ConnectionVisibility | null; storedAt: number };

/**
 * canSeeEvent needs the current row of the event's connection for every viewer but admins (a member taken off
 * a restricted connection stops seeing its events, replayed ones included). One event reaches every open
 * subscription of the workspace, so rows are shared by all of them here: one query per connection, however
 * many subscribers, concurrent lookups joined. A connection change (updateConnection, an ownership transfer)
 * evicts its row on every replica through the invalidation port; the TTL bounds what a missed eviction costs.
 * A not-finished row is never kept: its first success (establishedAt, written by the callback) announces
 * nothing, and the AUTHORIZED event that follows must see it finished. A deleted connection is kept as gone:
 * ids are never reused.
 */
export class EventVisibility {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<ConnectionVisibility | null>>();
  /** Moves on at every eviction: a lookup that started before one must not store what it read. */
  private epoch = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly invalidator?: Invalidator,
  ) {
    invalidator?.onInvalidate((kind, id) => {
      if (kind !== 'connection' && kind !== 'all') return;
      this.epoch++;
      if (kind === 'all') this.entries.clear();
      else this.entries.delete(id);
    });
  }

  canSee(viewer: Viewer, e: AuthorizationEventPayload): boolean | Promise<boolean> {
    // Other workspaces and admins are decided on the event alone: no lookup.
    if (viewer.workspaceId !== e.workspaceId || viewer.role === 'ADMIN') return canSeeEvent(viewer, e, null);
    const hit = this.cached(e.connectionId);
    if (hit !== undefined) return canSeeEvent(viewer, e, hit);
    return this.load(e.connectionId).then((row) => canSeeEvent(viewer, e, row));
  }

  private cached(id: string, now = Date.now()): ConnectionVisibility | null | undefined {
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    const ttl = this.invalidator && !this.invalidator.live() ? UNINFORMED_TTL_MS : LIVE_TTL_MS;
    if (now - hit.storedAt < ttl) return hit.row;
    this.entries.delete(id);
    return undefined;
  }

  private load(id: string): Promise<ConnectionVisibility | null> {
    let pending = this.loading.get(id);
    if (pending) return pending;
    const epoch = this.epoch;
    pending = this.ds
      .getRepository(ConnectionRow)
      .findOne({
        where: { id },
        select: {
          id: true,
          ownerId: true,
          useLoginUserCredentials: true,
          restrictedTo: true,
          establishedAt: true,
        },
      })
      .then((row) => {
        if (epoch === this.epoch && (!row || row.establishedAt != null)) this.store(id, row ?? null);
        return row ?? null;
      })
      .finally(() => this.loading.delete(id));
    this.loading.set(id, pending);
    return pending;
  }

  private store(id: string, row: ConnectionVisibility | null): void {
    // Map keeps insertion order: dropping the first key drops the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { row, storedAt: Date.now() });
  }
}
