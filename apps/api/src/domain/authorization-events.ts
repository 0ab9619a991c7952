import type { AuthorizationEventType } from '@connections/schema';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import type { ConnectionRow } from '../db/entities';
import type { AuditService } from '../domain/audit';
import type { Viewer } from '../domain/viewer';
import type { AuthorizationEventPayload, EventBus } from './pubsub';

export interface EventInput {
  type: AuthorizationEventType;
  connection: Pick<ConnectionRow, 'id' | 'workspaceId' | 'linkName' | 'ownerId'>;
  principal: { id: string; email: string; displayName: string };
  actorId: string | null;
  status: string;
  attemptId?: string | null;
  message: string;
}

/**
 * Every authorization event is an audit event (written in the caller's transaction) and, once that
 * transaction has committed, a message on the bus.
 */
export class AuthorizationEvents {
  constructor(
    private readonly audit: AuditService,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  async record(manager: EntityManager, e: EventInput): Promise<AuthorizationEventPayload> {
    const id = await this.audit.record(
      { workspaceId: e.connection.workspaceId, userId: e.actorId },
      {
        action: `authorization.${e.type}`,
        targetType: 'authorization',
        targetId: e.principal.id,
        connectionId: e.connection.id,
        message: e.message,
        metadata: {
          linkName: e.connection.linkName,
          status: e.status,
          principalId: e.principal.id,
          attemptId: e.attemptId ?? null,
        },
      },
      manager,
    );
    return {
      id,
      type: e.type,
      workspaceId: e.connection.workspaceId,
      connectionId: e.connection.id,
      linkName: e.connection.linkName,
      ownerId: e.connection.ownerId,
      principal: e.principal,
      actorId: e.actorId,
      status: e.status,
      attemptId: e.attemptId ?? null,
      at: new Date(),
      message: e.message,
    };
  }

  /** Call after the transaction that recorded the events has committed. */
  publish(events: AuthorizationEventPayload[]): void {
    for (const e of events) {
      try {
        this.bus.publish('AUTHORIZATION_EVENT', e);
      } catch (error) {
        this.logger.error({ err: error, eventId: e.id }, 'could not publish an authorization event');
      }
    }
  }
}

/**
 * Who may see an event: admins everything in their workspace; others their own attempts and
 * authorizations, events they caused, and events of connections they own. Nothing crosses workspaces.
 */
export function canSeeEvent(viewer: Viewer, e: AuthorizationEventPayload): boolean {
  if (viewer.workspaceId !== e.workspaceId) return false;
  if (viewer.role === 'ADMIN') return true;
  return e.principal.id === viewer.userId || e.ownerId === viewer.userId || e.actorId === viewer.userId;
}
