import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BackoffPolicy } from '../domain/throttle';
import { redisThrottles } from './throttle';

const policy: BackoffPolicy = {
  name: 'test',
  free: 3,
  windowSeconds: 60,
  minWaitSeconds: 1,
  maxWaitSeconds: 4,
};

const ready = (r: Redis) =>
  new Promise<void>((resolve) => (r.status === 'ready' ? resolve() : r.once('ready', () => resolve())));

// Two replicas' throttles over one Redis count the same guesses. CI sets REDIS_URL.
(process.env.REDIS_URL ? describe : describe.skip)('Redis throttle', () => {
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = new Redis(process.env.REDIS_URL!);
    b = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    await Promise.all([a.quit(), b.quit()]);
  });

  test('guesses spread over replicas share one count, and one gate', async () => {
    const prefix = `t${randomBytes(6).toString('hex')}`;
    const one = redisThrottles(a, prefix)(policy);
    const two = redisThrottles(b, prefix)(policy);
    await Promise.all([ready(a), ready(b)]);
    expect(await one.attempt('k')).toBe(0);
    expect(await two.attempt('k')).toBe(0);
    expect(await one.attempt('k')).toBe(0);
    expect(await two.attempt('k')).toBeGreaterThan(0);
    const waits = await Promise.all([one.attempt('k'), two.attempt('k')]);
    expect(waits.every((w) => w > 0)).toBe(true);
    await one.reset('k');
    expect(await two.attempt('k')).toBe(0);
  });
});
