import type { Lock } from '@connections/auth-flows';
import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { PostgresAdvisoryLock } from '../db/advisory-lock';
import type { AuthorizationTopics } from '../domain/authorization-events';
import type { Invalidator } from '../domain/invalidation';
import type { ThrottleFactory } from '../domain/throttle';
import { InMemoryInvalidator } from './in-memory-invalidator';
import { connectRedis } from './redis';
import { eventChannel, redisEventTarget } from './redis-event-target';
import { RedisInvalidator } from './redis-invalidator';
import { memoryThrottles, redisThrottles } from './throttle';

/**
 * What replicas share at run time besides the database. Without Redis: one process, with the in-memory bus,
 * invalidation and refresh lock behind the same interfaces. With Redis: events and invalidations travel over
 * Redis pub/sub, and the refresh lock is PostgreSQL's (see PostgresAdvisoryLock for why not Redis's).
 */
export interface Cluster {
  /** The bus's event target across replicas; undefined: the in-process bus. */
  eventTarget?: PubSubEventTarget<AuthorizationTopics>;
  invalidator: Invalidator;
  /** The refresh lock across replicas; undefined: RefreshCoordinator's in-process lock. */
  refreshLock?: Lock;
  /** Guess counters with backoff (sign-in): in memory, or in Redis so every replica counts the same guesses. */
  throttles: ThrottleFactory;
  close(): Promise<void>;
}

export async function startCluster(config: Config, logger: Logger): Promise<Cluster> {
  if (!config.redis)
    return { invalidator: new InMemoryInvalidator(), throttles: memoryThrottles(), close: async () => {} };
  // Refused earlier by loadConfig; checked again because the lock below needs PostgreSQL.
  if (config.database.type !== 'postgres') throw new Error('REDIS_URL needs DATABASE_URL=postgres://...');
  const redis = await connectRedis(config.redis.url, logger);
  const invalidator = await RedisInvalidator.start(redis, config.redis.prefix, logger);
  const refreshLock = new PostgresAdvisoryLock(config.database.url);
  const eventTarget = redisEventTarget<AuthorizationTopics>(redis, config.redis.prefix, logger);
  // Subscribed from start-up on, and for good: otherwise the first subscriber of a replica would SUBSCRIBE on
  // demand, and an event published on another replica in the meantime would pass it by.
  eventTarget.addEventListener('AUTHORIZATION_EVENT', () => {});
  await redis.subscriber.subscribe(eventChannel(config.redis.prefix, 'AUTHORIZATION_EVENT'));
  return {
    eventTarget,
    invalidator,
    refreshLock,
    throttles: redisThrottles(redis.publisher, config.redis.prefix),
    close: async () => {
      await refreshLock.close();
      await redis.close();
    },
  };
}
