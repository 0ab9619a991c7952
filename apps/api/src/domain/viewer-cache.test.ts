import { ViewerCache } from './viewer-cache';
import type { Viewer } from './viewer';

const viewer = (userId: string): Viewer => ({
  userId,
  workspaceId: 'w',
  role: 'MEMBER',
  authMethod: 'API_TOKEN',
  user: { id: userId, email: `${userId}@example.com`, displayName: userId },
});

describe('ViewerCache', () => {
  test('hits within the TTL, misses after it and after a credential expiry', () => {
    const cache = new ViewerCache(1000);
    cache.set('a', viewer('u1'), Infinity, 0);
    cache.set('b', viewer('u2'), 500, 0);
    expect(cache.get('a', 999)?.userId).toBe('u1');
    expect(cache.get('a', 1000)).toBeUndefined();
    expect(cache.get('b', 499)?.userId).toBe('u2');
    expect(cache.get('b', 500)).toBeUndefined();
  });

  test('evicts by predicate and drops the oldest entry when full', () => {
    const cache = new ViewerCache(1000, 2);
    cache.set('a', viewer('u1'), Infinity, 0);
    cache.set('b', viewer('u2'), Infinity, 0);
    cache.set('c', viewer('u3'), Infinity, 0);
    expect(cache.get('a', 1)).toBeUndefined();
    cache.evict((v) => v.userId === 'u2');
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('c', 1)?.userId).toBe('u3');
  });

  test('a zero TTL disables caching', () => {
    const cache = new ViewerCache(0);
    cache.set('a', viewer('u1'), Infinity, 0);
    expect(cache.get('a', 0)).toBeUndefined();
  });

  test('a TTL that shrinks (evictions cannot arrive) applies to entries cached before it shrank', () => {
    let ttl = 10_000;
    const cache = new ViewerCache(() => ttl);
    cache.set('a', viewer('u1'), Infinity, 0);
    expect(cache.get('a', 5_000)?.userId).toBe('u1');
    ttl = 1_000;
    expect(cache.get('a', 5_000)).toBeUndefined();
    cache.set('b', viewer('u2'), Infinity, 5_000);
    expect(cache.get('b', 5_999)?.userId).toBe('u2');
    expect(cache.get('b', 6_000)).toBeUndefined();
  });

  test('clear() forgets everything (announcements were missed)', () => {
    const cache = new ViewerCache(1000);
    cache.set('a', viewer('u1'), Infinity, 0);
    cache.clear();
    expect(cache.get('a', 1)).toBeUndefined();
  });
});
