import type { Viewer } from './viewer';

/**
 * Remembers which viewer a credential (API token or session, by hash) resolved to, for a few seconds, so a
 * busy integrator does not pay a database round trip per request. Revoking a token, signing out and changing
 * a role evict at once in this process; another replica sees the change within `ttlMs`.
 */
export class ViewerCache {
  private readonly entries = new Map<string, { viewer: Viewer; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, now = Date.now()): Viewer | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.viewer;
  }

  set(key: string, viewer: Viewer, notAfter = Infinity, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    // Map keeps insertion order: dropping the first key drops the oldest entry.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { viewer, until: Math.min(now + this.ttlMs, notAfter) });
  }

  evict(match: (viewer: Viewer, key: string) => boolean): void {
    for (const [key, { viewer }] of this.entries) if (match(viewer, key)) this.entries.delete(key);
  }
}
