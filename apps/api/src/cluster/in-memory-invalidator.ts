import type { InvalidationKind, Invalidator } from '../domain/invalidation';

/** One process: an announcement reaches this process's listeners at once, and there is nobody else. */
export class InMemoryInvalidator implements Invalidator {
  private readonly handlers = new Set<(kind: InvalidationKind, id: string) => void>();

  invalidate(kind: InvalidationKind, id: string): void {
    for (const handler of this.handlers) handler(kind, id);
  }

  onInvalidate(handler: (kind: InvalidationKind, id: string) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  live(): boolean {
    return true;
  }
}
