import { createPubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { setMaxListeners } from 'node:events';

/** Topic name to the arguments its messages carry: the domain declares its topics, the bus carries them. */
export type TopicMap = Record<string, [unknown]>;

/**
 * The in-process bus. type-graphql 2 takes this shape; a Redis event target (for several replicas) plugs in
 * through createPubSub's `eventTarget` without changing publishers or subscribers.
 */
export function createEventBus<T extends TopicMap = TopicMap>(eventTarget?: PubSubEventTarget<T>) {
  if (eventTarget) return createPubSub<T>({ eventTarget });
  // Every live subscription is one listener on the topic: Node's default limit of 10 would print a
  // "possible EventTarget memory leak" warning at the 11th subscriber.
  const target = new EventTarget();
  setMaxListeners(Infinity, target);
  return createPubSub<T>({ eventTarget: target });
}

export type EventBus<T extends TopicMap = TopicMap> = ReturnType<typeof createEventBus<T>>;
