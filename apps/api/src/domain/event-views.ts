import type { AuthorizationEvent } from '@connections/schema';
import type { AuthorizationEventPayload } from './authorization-events';

/** The GraphQL view of an event, live (its date may have crossed Redis as a string) or replayed. */
export function authorizationEventView(e: AuthorizationEventPayload): AuthorizationEvent {
  return {
    id: e.id,
    type: e.type,
    connectionId: e.connectionId,
    linkName: e.linkName,
    principal: e.principal,
    status: e.status as AuthorizationEvent['status'],
    attemptId: e.attemptId,
    at: new Date(e.at),
    message: e.message,
    cursor: e.cursor,
    extensionId: e.extensionId ?? null,
  };
}
