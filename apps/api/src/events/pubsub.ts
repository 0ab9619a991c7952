import { createPubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { setMaxListeners } from 'node:events';
import type { AuthorizationEventType } from '@connections/schema';

/** What travels on the bus: the public event plus what subscribers are filtered on. Never a secret. */
export interface AuthorizationEventPayload {
  id: string;
  type: AuthorizationEventType;
  workspaceId: string;
  connectionId: string;
  linkName: string;
  ownerId: string;
  principal: { id: string; email: string; displayName: string };
  actorId: string | null;
  status: string;
  attemptId: string | null;
  at: Date | string;
  message: string;
}

// Typed topics (one per kind of event); subscriptions filter per viewer.
export type Topics = {
  AUTHORIZATION_EVENT: [AuthorizationEventPayload];
};

/**
 * The in-process bus. type-graphql 2 takes this shape; a Redis event target (for several replicas) plugs in
 * through createPubSub's `eventTarget` without changing publishers or subscribers.
 */
export function createEventBus(eventTarget?: PubSubEventTarget<Topics>) {
  if (eventTarget) return createPubSub<Topics>({ eventTarget });
  // Every live subscription is one listener on the topic: Node's default limit of 10 would print a
  // "possible EventTarget memory leak" warning at the 11th subscriber.
  const target = new EventTarget();
  setMaxListeners(Infinity, target);
  return createPubSub<Topics>({ eventTarget: target });
}

export type EventBus = ReturnType<typeof createEventBus>;
