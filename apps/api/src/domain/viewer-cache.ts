import type { Viewer } from './viewer';

/**
 * Remembers which viewer a credential (API token or session, by hash) resolved to, for a few seconds, so a
 * busy integrator does not pay a database round trip per request. Revoking a token, signing out and changing
 * a role evict it on every replica (the invalidation channel); `ttlMs` bounds what a missed eviction costs,
 * and may be a function so the bound can shrink while evictions cannot arrive.
 */
export class ViewerCache {
  private readonly entries = new Map<string, { viewer: Viewer; storedAt: number; notAfter: number }>();

  constructor(
    private readonly ttlMs: number | (() => number),
    private readonly maxEntries = 10_000,
  ) {}

  private ttl(): number {
    return typeof this.ttlMs === 'function' ? this.ttlMs() : this.ttlMs;
  }

  get(key: string, now = Date.now()): Viewer | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // The age is checked against the TTL in force now: an entry cached before an outage began gets the
    // shorter bound too.
    if (now - hit.storedAt >= this.ttl() || hit.notAfter <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.viewer;
  }

  set(key: string, viewer: Viewer, notAfter = Infinity, now = Date.now()): void {
    if (this.ttl() <= 0) return;
    // Map keeps insertion order: dropping the first key drops the oldest entry.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { viewer, storedAt: now, notAfter });
  }

  clear(): void {
    this.entries.clear();
  }

  evict(match: (viewer: Viewer, key: string) => boolean): void {
    for (const [key, { viewer }] of this.entries) if (match(viewer, key)) this.entries.delete(key);
  }
}
