import { AuthFlowError } from '../errors';
import type { Credentials } from '../types';
import { InMemoryLock } from './lock';
import { needsRefresh, isExpired } from './needs-refresh';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('InMemoryLock', () => {
  it('runs holders of one key one at a time, in arrival order', async () => {
    const lock = new InMemoryLock();
    const log: string[] = [];
    const gate = deferred();
    const a = lock.withLock('k', 10_000, async () => {
      log.push('a start');
      await gate.promise;
      log.push('a end');
    });
    const b = lock.withLock('k', 10_000, async () => void log.push('b'));
    const c = lock.withLock('other', 10_000, async () => void log.push('other key'));
    await c;
    expect(log).toEqual(['a start', 'other key']);
    gate.resolve();
    await Promise.all([a, b]);
    expect(log).toEqual(['a start', 'other key', 'a end', 'b']);
  });

  it('lets the next holder in when a holder outlives its ttl', async () => {
    const lock = new InMemoryLock();
    const never = deferred();
    void lock.withLock('k', 50, () => never.promise);
    await expect(lock.withLock('k', 1_000, async () => 'second')).resolves.toBe('second');
    never.resolve();
  });

  it('times out a waiter without letting its successor past the current holder', async () => {
    const lock = new InMemoryLock({ waitTimeoutMs: 50 });
    const gate = deferred();
    const log: string[] = [];
    const holder = lock.withLock('k', 60_000, async () => {
      await gate.promise;
      log.push('holder done');
    });
    const waiter = lock.withLock('k', 60_000, async () => void log.push('waiter ran'));
    await expect(waiter).rejects.toMatchObject({ code: 'LOCK_TIMEOUT', transient: true });
    await expect(waiter).rejects.toBeInstanceOf(AuthFlowError);
    const successor = lock.withLock('k', 60_000, async () => void log.push('successor'));
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual([]);
    gate.resolve();
    await Promise.all([holder, successor]);
    expect(log).toEqual(['holder done', 'successor']);
  });

  it('releases the lock when the holder throws', async () => {
    const lock = new InMemoryLock();
    await expect(lock.withLock('k', 1_000, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(lock.withLock('k', 1_000, async () => 'ok')).resolves.toBe('ok');
  });
});

describe('needsRefresh', () => {
  const token = (expiresAt?: number): Credentials => ({
    type: 'OAUTH2',
    accessToken: 'a',
    tokenType: 'bearer',
    scopes: [],
    expiresAt,
  });

  it('refreshes inside the margin plus skew, not before', () => {
    const options = { marginMs: 60_000, clockSkewMs: 10_000 };
    expect(needsRefresh(token(1_000_000), 1_000_000 - 70_001, options)).toBe(false);
    expect(needsRefresh(token(1_000_000), 1_000_000 - 70_000, options)).toBe(true);
    expect(needsRefresh(token(1_000_000), 2_000_000, options)).toBe(true);
  });

  it('never refreshes a token without expiry, or non-OAuth 2.0 credentials', () => {
    expect(needsRefresh(token(undefined), Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(needsRefresh({ type: 'API_KEY', apiKey: 'k' }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('isExpired applies only the skew', () => {
    expect(isExpired(token(100_000), 100_000 - 30_001)).toBe(false);
    expect(isExpired(token(100_000), 100_000 - 30_000)).toBe(true);
  });
});
