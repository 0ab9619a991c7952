import type { AuthorizationEventType } from '@connections/schema';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConnectionRow } from '../db/entities';
import type { AuditService } from './audit';
import type { Viewer } from './viewer';

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
export type AuthorizationTopics = {
  AUTHORIZATION_EVENT: [AuthorizationEventPayload];
};

/** The port the domain publishes through: the in-process bus today, a Redis-backed one across replicas. */
export interface AuthorizationEventBus {
  publish(topic: 'AUTHORIZATION_EVENT', event: AuthorizationEventPayload): void;
}

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
 * One transaction's events: each is an audit row written with the transaction's manager, and goes on the bus
 * only after the transaction has committed (a rolled-back change announces nothing).
 */
export interface EventTx {
  manager: EntityManager;
  pending: AuthorizationEventPayload[];
}

/**
 * Every authorization event is an audit event (written in the caller's transaction) and, once that
 * transaction has committed, a message on the bus.
 */
export class AuthorizationEvents {
  constructor(
    private readonly audit: AuditService,
    private readonly bus: AuthorizationEventBus,
    private readonly logger: Logger,
  ) {}

  /** Opens an event transaction on the caller's manager; `publish(tx)` once that transaction has committed. */
  begin(manager: EntityManager): EventTx {
    return { manager, pending: [] };
  }

  /** Runs `work` in a new transaction and publishes what it recorded once it has committed. */
  async transaction<T>(ds: DataSource, work: (tx: EventTx) => Promise<T>): Promise<T> {
    let tx: EventTx | undefined;
    const result = await ds.transaction((m) => work((tx = this.begin(m))));
    this.publish(tx!);
    return result;
  }

  async record(tx: EventTx, e: EventInput): Promise<AuthorizationEventPayload> {
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
      tx.manager,
    );
    const payload: AuthorizationEventPayload = {
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
    tx.pending.push(payload);
    return payload;
  }

  /** Call after the transaction that recorded the events has committed. */
  publish(tx: EventTx): void {
    for (const e of tx.pending.splice(0)) {
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
