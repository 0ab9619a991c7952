import type { InvalidationKind } from '../domain/invalidation';
import type { Viewer } from '../domain/viewer';

/** 4403: graphql-ws's code for "Forbidden"; clients stop retrying with the same credentials. */
const FORBIDDEN = 4403;

interface Entry {
  viewer: Viewer;
  close(code: number, reason: string): void;
  /** Resolves the socket's credentials again (through the short cache): null when they no longer hold. */
  recheck(): Promise<Viewer | null>;
}

/** One open socket, as its operations see it. */
export interface SocketHandle {
  /** Who the socket is now: null once it has been forbidden (its credentials were revoked or changed). */
  current(): Viewer | null;
  /**
   * Resolves the credentials again, as every operation does before it runs: null, and the socket closed
   * with 4403, when they no longer hold or now carry another role.
   */
  refresh(): Promise<Viewer | null>;
  /** The socket closed: stop tracking it. */
  forget(): void;
}

/**
 * The open graphql-ws sockets and who they were authenticated as. A revoked token, a signed-out session or a
 * changed membership closes the sockets that carry it, whichever replica made the change (the invalidation
 * channel brings it here); after missed announcements (`all`) every socket's credentials are checked again.
 * Each operation checks its socket's credentials too (`refresh`), so one that arrives before the
 * announcement, or after an expiry nobody announces, is refused all the same.
 */
export class AuthenticatedSockets {
  private readonly entries = new Set<Entry>();

  /** Tracks a socket; returns what forgets it. */
  add(entry: Entry): () => void {
    return this.track(entry).forget;
  }

  track(entry: Entry): SocketHandle {
    this.entries.add(entry);
    return {
      current: () => (this.entries.has(entry) ? entry.viewer : null),
      refresh: async () => {
        if (!this.entries.has(entry)) return null;
        const now = await entry.recheck();
        if (!this.entries.has(entry)) return null;
        if (!now || now.role !== entry.viewer.role) {
          this.forbid(entry);
          return null;
        }
        entry.viewer = now;
        return now;
      },
      forget: () => void this.entries.delete(entry),
    };
  }

  get size(): number {
    return this.entries.size;
  }

  onInvalidate(kind: InvalidationKind, id: string): void {
    if (kind === 'all') {
      void this.recheckAll();
      return;
    }
    const stale = (v: Viewer) =>
      (kind === 'apiToken' && v.apiTokenId === id) ||
      (kind === 'session' && v.sessionId === id) ||
      (kind === 'user' && v.userId === id);
    for (const entry of this.entries) if (stale(entry.viewer)) this.forbid(entry);
  }

  /** One at a time: after an outage, thousands of sockets must not become thousands of parallel queries. */
  async recheckAll(): Promise<void> {
    for (const entry of [...this.entries]) {
      const current = await entry.recheck().catch(() => entry.viewer);
      if (!current || current.role !== entry.viewer.role) this.forbid(entry);
    }
  }

  private forbid(entry: Entry): void {
    this.entries.delete(entry);
    entry.close(FORBIDDEN, 'Forbidden');
  }
}
