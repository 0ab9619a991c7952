import type { Redis } from 'ioredis';
import {
  type IRateLimiterOptions,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { BackoffPolicy, Throttle, ThrottleFactory } from '../domain/throttle';

type Store = (options: IRateLimiterOptions) => RateLimiterAbstract;

/** The waits after the free attempts: min, 2 min, 4 min ... capped at max. */
function waitSeconds(policy: BackoffPolicy, blocksSoFar: number): number {
  return Math.min(policy.minWaitSeconds * 2 ** Math.min(blocksSoFar, 30), policy.maxWaitSeconds);
}

/**
 * rate-limiter-flexible's brute-force recipe (the one its ExpressBruteFlexible is built on), without Express:
 * `free` counts attempts in the window; past it, an attempt must win the `gate`, a one-point counter whose
 * expiry is the wait, so of many concurrent attempts exactly one goes ahead and the rest are told how long
 * to wait; `blocks` counts how often the gate was won, which makes each wait twice the last. Every step is one
 * atomic store operation, so replicas sharing Redis share the count.
 */
class BackoffThrottle implements Throttle {
  private readonly free: RateLimiterAbstract;
  private readonly gate: RateLimiterAbstract;
  private readonly blocks: RateLimiterAbstract;

  constructor(
    private readonly policy: BackoffPolicy,
    store: Store,
    prefix: string,
  ) {
    const base = `${prefix}:throttle:${policy.name}`;
    const window = policy.windowSeconds;
    this.free = store({ keyPrefix: `${base}:free`, points: Math.max(policy.free - 1, 0), duration: window });
    this.gate = store({ keyPrefix: `${base}:gate`, points: 1, duration: policy.maxWaitSeconds });
    this.blocks = store({ keyPrefix: `${base}:blocks`, points: Number.MAX_SAFE_INTEGER, duration: window });
  }

  async attempt(key: string): Promise<number> {
    const free = await this.free.consume(key).catch(rejection);
    if (free) return 0;
    const blocks = (await this.blocks.get(key))?.consumedPoints ?? 0;
    const wait = waitSeconds(this.policy, blocks);
    const gate = await this.gate.penalty(key, 1, { customDuration: wait });
    if (gate.consumedPoints > 1) return Math.max(1, Math.ceil(gate.msBeforeNext / 1000));
    await this.blocks.penalty(key);
    return 0;
  }

  async failed(key: string): Promise<void> {
    const free = await this.free.get(key);
    if (!free || free.consumedPoints <= this.free.points) return;
    // Past the free attempts: this one won the gate (and was counted in `blocks`); its wait starts again now,
    // so the time spent checking the guess is not taken off it.
    const blocks = (await this.blocks.get(key))?.consumedPoints ?? 1;
    await this.gate.block(key, waitSeconds(this.policy, blocks - 1));
  }

  async reset(key: string): Promise<void> {
    await Promise.all([this.free.delete(key), this.gate.delete(key), this.blocks.delete(key)]);
  }

  async refund(key: string): Promise<void> {
    await this.free.reward(key, 1);
  }
}

/** A refusal from consume() is a RateLimiterRes (falsy here); a store failure is an Error and propagates. */
function rejection(reason: unknown): null {
  if (reason instanceof RateLimiterRes) return null;
  throw reason;
}

/** One process: counters in memory. */
export const memoryThrottles =
  (prefix = 'cnx'): ThrottleFactory =>
  (policy) =>
    new BackoffThrottle(policy, (o) => new RateLimiterMemory(o), prefix);

/**
 * Replicas: counters in Redis, so an attacker gains nothing by spreading guesses over replicas. While Redis
 * is away each replica counts in memory instead (rate-limiter-flexible's insurance limiter, used at once
 * rather than after a timeout): sign-in keeps working, throttled per replica, as the README promises.
 */
export const redisThrottles =
  (client: Redis, prefix: string): ThrottleFactory =>
  (policy) =>
    new BackoffThrottle(
      policy,
      (o) =>
        new RateLimiterRedis({
          ...o,
          storeClient: client,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(o),
        }),
      prefix,
    );
