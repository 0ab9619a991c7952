import { randomBytes } from 'node:crypto';
import type { BackoffPolicy } from '../domain/throttle';
import { memoryThrottles } from './throttle';

const policy: BackoffPolicy = {
  name: 'test',
  free: 3,
  windowSeconds: 60,
  minWaitSeconds: 1,
  maxWaitSeconds: 4,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('memory throttle with backoff', () => {
  test('free attempts, then one at a time with waits that double up to the cap', async () => {
    const throttle = memoryThrottles(`t${randomBytes(4).toString('hex')}`)(policy);
    for (let i = 0; i < 3; i++) expect(await throttle.attempt('k')).toBe(0);
    // The next is refused and told how long to wait: 1 s after the last free attempt.
    expect(await throttle.attempt('k')).toBe(1);
    await sleep(1_050);
    expect(await throttle.attempt('k')).toBe(0);
    expect(await throttle.attempt('k')).toBe(2);
    // Another key is unaffected.
    expect(await throttle.attempt('other')).toBe(0);
  });

  test('past the free attempts, the wait counts from the failure, not from when the guess began', async () => {
    const throttle = memoryThrottles()({ ...policy, name: 'failed' });
    for (let i = 0; i < 3; i++) expect(await throttle.attempt('k')).toBe(0);
    await sleep(700);
    await throttle.failed('k');
    await sleep(500);
    // 1.2 s after the third attempt began, 0.5 s after it failed: still waiting.
    expect(await throttle.attempt('k')).toBe(1);
    // A failure within the free attempts starts no wait.
    await throttle.failed('fresh');
    expect(await throttle.attempt('fresh')).toBe(0);
  });

  test('concurrent guesses past the free ones: exactly one goes ahead', async () => {
    const throttle = memoryThrottles()({ ...policy, name: 'concurrent' });
    const waits = await Promise.all(Array.from({ length: 20 }, () => throttle.attempt('k')));
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
    expect(waits.filter((w) => w > 0)).toHaveLength(17);
  });

  test('reset forgets the failures; refund gives one attempt back', async () => {
    const throttle = memoryThrottles()({ ...policy, name: 'reset' });
    for (let i = 0; i < 3; i++) await throttle.attempt('k');
    expect(await throttle.attempt('k')).toBeGreaterThan(0);
    await throttle.reset('k');
    for (let i = 0; i < 3; i++) expect(await throttle.attempt('k')).toBe(0);

    // Two free attempts, one given back: one more free attempt, then the gated one, then a wait.
    for (let i = 0; i < 2; i++) await throttle.attempt('r');
    await throttle.refund('r');
    expect(await throttle.attempt('r')).toBe(0);
    expect(await throttle.attempt('r')).toBe(0);
    expect(await throttle.attempt('r')).toBeGreaterThan(0);
  });
});
