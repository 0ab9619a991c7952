import type { LookupAddress } from 'node:dns';
import { cachedResolver, type ResolveAll } from './dns-cache';
import { AddressNotAllowedError, guardedLookup } from './guard';

// Issue 15: DNS answers are reused for a bounded time, but the address policy is never cached: it is applied
// to the cached answer on every new connection, and a name that moves to a refused address is refused as soon
// as its entry expires.

describe('the cached, guarded lookup', () => {
  let answer: LookupAddress[];
  let asked = 0;
  let now = 0;
  const upstream: ResolveAll = (_host, _options, callback) => {
    asked++;
    callback(null, answer);
  };
  const lookup = guardedLookup(
    false,
    cachedResolver(30_000, upstream, () => now),
  );
  const resolve = (host: string) =>
    new Promise<string>((ok, fail) =>
      lookup(host, {}, (err: Error | null, address: string | LookupAddress[]) =>
        err ? fail(err) : ok(address as string),
      ),
    );

  beforeEach(() => {
    answer = [{ address: '93.184.216.34', family: 4 }];
    asked = 0;
    now = 0;
  });

  test('answers from the cache within the TTL, and resolves again after it', async () => {
    expect(await resolve('api.cached.test')).toBe('93.184.216.34');
    expect(await resolve('API.cached.test')).toBe('93.184.216.34');
    expect(asked).toBe(1);
    now = 30_001;
    expect(await resolve('api.cached.test')).toBe('93.184.216.34');
    expect(asked).toBe(2);
  });

  test('a name that now points to a private address is refused once its entry expires', async () => {
    expect(await resolve('api.moving.test')).toBe('93.184.216.34');
    answer = [{ address: '10.0.0.7', family: 4 }];
    now = 29_000;
    expect(await resolve('api.moving.test')).toBe('93.184.216.34'); // still the answer that was checked
    now = 30_001;
    await expect(resolve('api.moving.test')).rejects.toBeInstanceOf(AddressNotAllowedError);
    // And it stays refused, from the cache, without asking DNS again.
    await expect(resolve('api.moving.test')).rejects.toBeInstanceOf(AddressNotAllowedError);
    expect(asked).toBe(2);
  });

  test('the policy is applied to a cached answer on every use', async () => {
    const permissive = cachedResolver(30_000, upstream, () => now);
    answer = [{ address: '169.254.169.254', family: 4 }];
    // Cached through a lookup that allows private networks, then used by one that does not.
    const allowed = guardedLookup(true, permissive);
    const refused = guardedLookup(false, permissive);
    const viaLookup = (l: typeof allowed) =>
      new Promise<void>((ok, fail) =>
        l('metadata.test', {}, (err: Error | null) => (err ? fail(err) : ok())),
      );
    await viaLookup(allowed);
    await expect(viaLookup(refused)).rejects.toBeInstanceOf(AddressNotAllowedError);
    expect(asked).toBe(1);
  });

  test('failures are not cached; the cache holds a bounded number of names', async () => {
    let fail = true;
    const flaky: ResolveAll = (_h, _o, cb) => {
      asked++;
      if (fail) return cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
      cb(null, answer);
    };
    const cached = cachedResolver(30_000, flaky, () => now, 2);
    const ask = (h: string) => new Promise<unknown>((ok) => cached(h, {}, (err) => ok(err)));
    expect(await ask('a.test')).toBeTruthy();
    fail = false;
    expect(await ask('a.test')).toBeNull();
    expect(asked).toBe(2);
    await ask('b.test');
    await ask('c.test'); // pushes a.test out
    await ask('a.test');
    expect(asked).toBe(5);
  });
});
