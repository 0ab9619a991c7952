/**
 * What a change can make stale in another replica's memory: a credential (API token, console session), a
 * user's memberships, a service or a connection. The domain says what changed; caches and open sockets
 * listen. `all` means anything may be stale (this replica missed announcements while Redis was away).
 * Declared here, where it is used; implemented in memory (one process) or over Redis (replicas).
 */
export type InvalidationKind = 'apiToken' | 'session' | 'user' | 'service' | 'connection' | 'all';

export interface Invalidator {
  /** Announces a change, after the transaction that made it has committed. Never throws. */
  invalidate(kind: InvalidationKind, id: string): void;
  /** Runs `handler` for every change announced by this replica or another; returns the unsubscribe. */
  onInvalidate(handler: (kind: InvalidationKind, id: string) => void): () => void;
  /**
   * False while announcements from other replicas may be missed (Redis unreachable): caches then keep
   * entries only briefly, because nobody can tell them to drop one.
   */
  live(): boolean;
}
