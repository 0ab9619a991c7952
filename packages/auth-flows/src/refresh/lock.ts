import { AuthFlowError } from '../errors';

/**
 * Mutual exclusion across everything that may refresh one authorization. `ttlMs` bounds how long a
 * holder may keep the lock: a crashed process must not block refreshes for ever. A Redis implementation
 * (SET key value NX PX ttl, released with a compare-and-delete script) fits the same shape.
 */
export interface Lock {
  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T>;
}

export interface InMemoryLockOptions {
  /** How long a caller waits for the lock before LOCK_TIMEOUT. Default 30 s. */
  waitTimeoutMs?: number;
}

interface Holder {
  release: () => void;
  released: Promise<void>;
}

/** A per-key mutex for one process. Waiters queue in order; a holder past its ttl is skipped. */
export class InMemoryLock implements Lock {
  private readonly tails = new Map<string, Holder>();
  private readonly waitTimeoutMs: number;

  constructor(options: InMemoryLockOptions = {}) {
    this.waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
  }

  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const own = new Promise<void>((resolve) => (release = resolve));
    // The next waiter needs this holder AND the one before it gone: a waiter that gave up must not
    // let its successor in while an earlier holder still runs.
    const released = previous ? Promise.all([own, previous.released]).then(() => undefined) : own;
    const mine: Holder = { release, released };
    this.tails.set(key, mine);

    try {
      if (previous) await this.waitFor(previous, key);
      // The ttl protects the next waiter, not this holder: fn keeps running, but the lock moves on.
      const expiry = setTimeout(release, ttlMs);
      expiry.unref?.();
      try {
        return await fn();
      } finally {
        clearTimeout(expiry);
      }
    } finally {
      release();
      // Forget the key only once everyone before us is gone too, or a newcomer would skip them.
      void released.then(() => {
        if (this.tails.get(key) === mine) this.tails.delete(key);
      });
    }
  }

  private async waitFor(previous: Holder, key: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AuthFlowError('LOCK_TIMEOUT', `Timed out waiting for the lock on ${key}`, {
              transient: true,
            }),
          ),
        this.waitTimeoutMs,
      );
      timer.unref?.();
    });
    try {
      await Promise.race([previous.released, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
