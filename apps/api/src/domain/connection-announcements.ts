import type { AuthorizationEventBus, AuthorizationEventPayload } from './authorization-events';
import type { Invalidator } from './invalidation';

/**
 * Every write to an authorization row that changes what a call would send (connected, re-authorized,
 * refreshed, refresh failed, revoked, deleted, a service's hosts changed) is an authorization event, published
 * only once its transaction has committed. So the bus is where a connection's cached state (invocations.ts's
 * plan cache, on every replica) learns it is stale: each published event announces its connection as changed
 * through the invalidation port, one place rather than a call beside every transition, and no transition
 * added later can forget it. A burst (thousands of events when a service's hosts change) announces each
 * connection once.
 */
export function announcingConnectionChanges(
  bus: AuthorizationEventBus,
  invalidator: Invalidator,
): AuthorizationEventBus {
  // The connections announced in this turn of the event loop (a burst is published synchronously).
  let announced: Set<string> | undefined;
  return {
    publish(topic: 'AUTHORIZATION_EVENT', event: AuthorizationEventPayload) {
      if (!announced) {
        announced = new Set();
        queueMicrotask(() => (announced = undefined));
      }
      // Before the event goes out: a subscriber that reacts to it with a call must not find the old plan.
      if (!announced.has(event.connectionId)) {
        announced.add(event.connectionId);
        invalidator.invalidate('connection', event.connectionId);
      }
      bus.publish(topic, event);
    },
  };
}
