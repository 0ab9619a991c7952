import type { ConnectionRow } from '../db/entities';
import { notFound } from '../errors';
import { canSee, principalFor } from './access';
import type { UsableCredentials } from './authorization-store';
import type { InvalidationKind, Invalidator } from './invalidation';
import type { ServiceRegistry } from './service-registry';
import type { Viewer } from './viewer';

export type Protocol = ReturnType<ServiceRegistry['protocolFor']>;

/** A connection as invocations use it: its row (service loaded) and, once asked for, its protocol view. */
export interface PlannedConnection {
  row: ConnectionRow;
  protocol(): Protocol;
}

interface Sources {
  /** The connection by link name, with the visibility check (NOT_FOUND otherwise). */
  findVisible(viewer: Viewer, linkName: string): Promise<ConnectionRow>;
  /** The principal's usable credentials, decrypted, or the status there is. */
  usable(viewer: Viewer, connection: ConnectionRow): Promise<UsableCredentials>;
  protocolFor(connection: ConnectionRow): Protocol;
}

interface Entry<T> {
  value: T;
  storedAt: number;
}

// While announcements from other replicas cannot arrive (Redis away), an entry may be stale there already:
// keep it one second at most, the bound the viewer cache keeps too.
const UNINFORMED_TTL_MS = 1_000;

/**
 * The invocation plan cache: what every call through a connection resolves before it sends anything (the
 * connection row and its service, the protocol view, the principal's decrypted credentials), kept in
 * process so a busy integrator pays no query, hydration or decryption per call.
 *
 * Correctness does not rest on the TTL. Every change that matters is announced through the invalidation
 * port once it has committed, here and on every other replica: a connection updated or deleted, any
 * authorization transition (connect, refresh, refresh failure, revoke, a service's hosts changed: each is an
 * authorization event, see `announcingConnectionChanges`), a service edited or given new client credentials,
 * a member removed. A load that raced such an announcement is not stored (the epoch). The TTL bounds only what
 * a missed announcement can cost, and shrinks to a second while announcements cannot arrive.
 *
 * Access is never cached: the decision (access.ts `canSee`, a synchronous function of the row and the viewer)
 * runs on every hit with the caller's current viewer. Only usable credentials are kept: a principal without
 * them gets NEEDS_AUTHORIZATION from a fresh read every time.
 */
export class InvocationPlans {
  private readonly connections = new Map<string, Entry<PlannedConnection>>();
  private readonly credentials = new Map<string, Entry<UsableCredentials>>();
  /** Bumped by every announcement: a load that started before one is not stored. */
  private epoch = 0;

  constructor(
    private readonly sources: Sources,
    private readonly invalidator: Invalidator,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {
    invalidator.onInvalidate((kind, id) => this.evict(kind, id));
  }

  /** The connection the viewer names, if they may see it: NOT_FOUND otherwise (as `findVisible`). */
  async connection(viewer: Viewer, linkName: string): Promise<PlannedConnection> {
    const key = `${viewer.workspaceId}\n${linkName}`;
    const hit = this.fresh(this.connections, key);
    if (hit) {
      if (!canSee(viewer, hit.row)) throw notFound('Connection');
      return hit;
    }
    const epoch = this.epoch;
    const row = await this.sources.findVisible(viewer, linkName);
    let protocol: Protocol | undefined;
    const planned: PlannedConnection = {
      row,
      // Built on first use: a call refused before it needs the protocol does not pay for it.
      protocol: () => (protocol ??= this.sources.protocolFor(row)),
    };
    this.store(this.connections, key, planned, epoch);
    return planned;
  }

  /** The credentials the viewer's call uses on this connection (see AuthorizationStore.usable). */
  async usable(viewer: Viewer, connection: ConnectionRow): Promise<UsableCredentials> {
    const key = `${connection.id}\n${principalFor(viewer, connection)}`;
    const hit = this.fresh(this.credentials, key);
    if (hit) return hit;
    const epoch = this.epoch;
    const usable = await this.sources.usable(viewer, connection);
    if (usable.authorization) this.store(this.credentials, key, usable, epoch);
    return usable;
  }

  private ttl(): number {
    return this.invalidator.live() ? this.ttlMs : Math.min(this.ttlMs, UNINFORMED_TTL_MS);
  }

  private fresh<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const hit = map.get(key);
    if (!hit) return undefined;
    if (performance.now() - hit.storedAt < this.ttl()) return hit.value;
    map.delete(key);
    return undefined;
  }

  private store<T>(map: Map<string, Entry<T>>, key: string, value: T, epoch: number): void {
    if (epoch !== this.epoch || this.ttl() <= 0) return;
    // Map keeps insertion order: dropping the first key drops the oldest entry.
    if (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
    map.set(key, { value, storedAt: performance.now() });
  }

  /** Drops what a change made stale; unknown kinds (a token, a session) concern no plan. */
  private evict(kind: InvalidationKind, id: string): void {
    this.epoch++;
    if (kind === 'all') {
      this.connections.clear();
      this.credentials.clear();
      return;
    }
    const dropConnection = (row: ConnectionRow) =>
      (kind === 'connection' && row.id === id) ||
      (kind === 'service' && row.serviceId === id) ||
      (kind === 'user' && row.ownerId === id);
    for (const [key, { value }] of this.connections)
      if (dropConnection(value.row)) this.connections.delete(key);
    for (const [key, { value }] of this.credentials) {
      const auth = value.authorization!;
      if ((kind === 'connection' && auth.connectionId === id) || (kind === 'user' && auth.principalId === id))
        this.credentials.delete(key);
    }
  }

  /** How many entries are held (tests, and the benchmark's memory check). */
  get size(): number {
    return this.connections.size + this.credentials.size;
  }
}
