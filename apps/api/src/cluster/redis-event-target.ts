import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import type { Logger } from 'pino';
import type { TopicMap } from '../events/pubsub';
import type { RedisConnections } from './redis';

/** The Redis channel of a bus topic. */
export const eventChannel = (prefix: string, topic: string) => `${prefix}:events:${topic}`;

/**
 * The bus's event target over Redis pub/sub, so a subscriber on any replica hears what any replica
 * publishes. Channels carry the deployment's prefix (replicas of another deployment, or tests sharing one
 * Redis, never hear each other). A publish while Redis is away is logged, not thrown: the change it
 * announces has already committed, and the caller must not fail for a lost notification.
 */
export function redisEventTarget<T extends TopicMap>(
  redis: RedisConnections,
  prefix: string,
  logger: Logger,
): PubSubEventTarget<T> {
  const publishClient = {
    publish: (channel: string, message: string) =>
      redis.publisher.publish(channel, message).catch((err: Error) => {
        logger.warn({ channel, err: { message: err.message } }, 'could not publish an event to Redis');
        return 0;
      }),
  };
  const target = createRedisEventTarget<CustomEvent>({
    publishClient: publishClient as unknown as Parameters<typeof createRedisEventTarget>[0]['publishClient'],
    subscribeClient: redis.subscriber,
  });
  const channel = (topic: string) => eventChannel(prefix, topic);
  // The pub/sub reads only `detail` from what its listeners receive, so the prefixed event type is harmless.
  const prefixed: Pick<EventTarget, 'addEventListener' | 'removeEventListener' | 'dispatchEvent'> = {
    addEventListener: (topic, listener) => target.addEventListener(channel(topic), listener),
    removeEventListener: (topic, listener) => target.removeEventListener(channel(topic), listener),
    dispatchEvent: (event) =>
      target.dispatchEvent(new CustomEvent(channel(event.type), { detail: (event as CustomEvent).detail })),
  };
  return prefixed as unknown as PubSubEventTarget<T>;
}
