import type { AuthorizationEventType } from '@connections/schema';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConnectionRow } from '../db/entities';
import { canSee, type ConnectionVisibility } from './access';
import type { AuditService } from './audit';
import type { EventLog } from './event-log';
import type { Viewer } from './viewer';

/** What travels on the bus: the public event plus what subscribers are filtered on. Never a secret. */
export interface AuthorizationEventPayload {
  id: string;
  type: AuthorizationEventType;
  workspaceId: string;
  connectionId: string;
  /** The extension the connection belongs to; null for a connection of no extension. */
  extensionId: string | null;
  linkName: string;
  ownerId: string;
  principal: { id: string; email: string; displayName: string };
  actorId: string | null;
  status: string;
  attemptId: string | null;
  at: Date | string;
  message: string;
  /** Its place in the workspace's event log: gapless and in commit order (EventLog.append). */
  seq: number;
  /** `seq` as clients see it: an opaque string bound to the workspace (event-cursor.ts). */
  cursor: string;
}

/** An event recorded in a transaction that has no cursor yet (`seal` gives it one). */
export type RecordedEvent = Omit<AuthorizationEventPayload, 'seq' | 'cursor' | 'extensionId'> & {
  /** Undefined when the caller's connection row did not carry it: the log looks it up. */
  extensionId?: string | null;
};

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
  connection: Pick<ConnectionRow, 'id' | 'workspaceId' | 'linkName' | 'ownerId'> &
    Partial<Pick<ConnectionRow, 'extensionId'>>;
  principal: { id: string; email: string; displayName: string };
  actorId: string | null;
  status: string;
  attemptId?: string | null;
  message: string;
}

/**
 * One transaction's events: each is an audit row written with the transaction's manager; `seal`, last in the
 * transaction, gives them their cursors and writes them to the event log; they go on the bus only after the
 * transaction has committed (a rolled-back change announces nothing and uses no cursor).
 */
export interface EventTx {
  manager: EntityManager;
  /** Recorded, waiting for `seal`. */
  recorded: RecordedEvent[];
  /** Sealed: in the event log with their cursors, published after commit. */
  pending: AuthorizationEventPayload[];
}

/**
 * Runs inside the events' own transaction once they have their cursors, so that a row written here (a webhook
 * outbox entry) commits or rolls back with them and can carry the cursor.
 */
export type SealHook = (
  manager: EntityManager,
  events: readonly AuthorizationEventPayload[],
) => Promise<void>;

const PUBLISH_BURST = 500;

/**
 * Every authorization event is an audit event (written in the caller's transaction), an entry of the
 * workspace's event log with a cursor (written last in that transaction) and, once that transaction has
 * committed, a message on the bus.
 */
export class AuthorizationEvents {
  private readonly hooks: SealHook[] = [];

  constructor(
    private readonly audit: AuditService,
    private readonly log: EventLog,
    private readonly bus: AuthorizationEventBus,
    private readonly logger: Logger,
  ) {}

  /**
   * Opens an event transaction on the caller's manager. The caller calls `seal(tx)` as the last step of its
   * transaction and `publish(tx)` once that transaction has committed; `transaction` does both.
   */
  begin(manager: EntityManager): EventTx {
    return { manager, recorded: [], pending: [] };
  }

  /** Runs `work` in a new transaction, seals what it recorded before commit and publishes it after. */
  async transaction<T>(ds: DataSource, work: (tx: EventTx) => Promise<T>): Promise<T> {
    let tx: EventTx | undefined;
    const result = await ds.transaction(async (m) => {
      const done = await work((tx = this.begin(m)));
      await this.seal(tx);
      return done;
    });
    this.publish(tx!);
    return result;
  }

  async record(tx: EventTx, e: EventInput): Promise<void> {
    const id = await this.audit.record(
      { workspaceId: e.connection.workspaceId, userId: e.actorId },
      {
        action: `authorization.${e.type}`,
        targetType: 'authorization',
        targetId: e.principal.id,
        connectionId: e.connection.id,
        extensionId: e.connection.extensionId,
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
    tx.recorded.push({
      id,
      type: e.type,
      workspaceId: e.connection.workspaceId,
      connectionId: e.connection.id,
      extensionId: e.connection.extensionId,
      linkName: e.connection.linkName,
      ownerId: e.connection.ownerId,
      principal: e.principal,
      actorId: e.actorId,
      status: e.status,
      attemptId: e.attemptId ?? null,
      at: new Date(),
      // As the audit row and the event log keep it: a replayed event reads exactly as the live one did.
      message: e.message.slice(0, 500),
    });
  }

  /**
   * Gives the recorded events their cursors and writes them to the event log, then runs the seal hooks. Call it
   * as the last step of the transaction: it takes the workspace's cursor lock (EventLog.append), held until
   * commit, and a lock taken last cannot close a cycle with the row locks the transaction took before it
   * (a connection's deletion locks its authorizations, a refresh locks one and then records).
   */
  async seal(tx: EventTx): Promise<void> {
    const batch = tx.recorded.splice(0);
    if (!batch.length) return;
    const sealed = await this.log.append(tx.manager, batch);
    for (const hook of this.hooks) await hook(tx.manager, sealed);
    tx.pending.push(...sealed);
  }

  /** Registers a hook that runs in every event transaction once its events have cursors (see SealHook). */
  onSealed(hook: SealHook): void {
    this.hooks.push(hook);
  }

  /** Call after the transaction that recorded and sealed the events has committed. */
  publish(tx: EventTx): void {
    if (tx.recorded.length)
      this.logger.error(
        { count: tx.recorded.splice(0).length },
        'authorization events were recorded but never sealed: they are in the audit log only',
      );
    this.announce(tx.pending.splice(0));
  }

  /**
   * A few hundred at a time, the rest after the event loop has turned: every subscription's bus queue throws
   * past 1,024 unread events, and its reader drains it in microtasks, which cannot run while a synchronous
   * loop publishes (one transaction can record thousands: a service's hosts changed). Later transactions may
   * publish in between; subscribers order by cursor (event-feed.ts).
   */
  private announce(events: AuthorizationEventPayload[]): void {
    for (const e of events.splice(0, PUBLISH_BURST)) {
      try {
        this.bus.publish('AUTHORIZATION_EVENT', e);
      } catch (error) {
        this.logger.error({ err: error, eventId: e.id }, 'could not publish an authorization event');
      }
    }
    if (events.length) setImmediate(() => this.announce(events));
  }
}

/**
 * Who may see an event. Nothing crosses workspaces; admins see everything in theirs. Anyone else must be able
 * to see the connection now (access.ts `canSee` on `connection`, its current row): a member taken off a
 * restricted connection stops seeing its events, replayed ones included, and nobody but its creator sees a
 * not-finished one's. Then they see:
 * - the events where they are the principal (their own attempts and authorizations) or the actor (what they
 *   caused);
 * - on an owner-credential connection they may use, the events of the owner's authorization: it is the one
 *   their calls run with, so their tooling learns from REFRESH_FAILED, NEEDS_REAUTH or REVOKED that calls will
 *   fail until the owner re-authorizes, and from AUTHORIZED that they work again. Events carry a status and a
 *   message, never a secret.
 * Owning a login-user connection is not enough to see another user's authorization of it: that is that
 * user's business. A connection that no longer exists (`connection` null: deleted, or a not-finished one
 * removed with its attempt) is judged on the event alone: its principal and actor still hear it, so an owner
 * hears their connection's DELETED event (they are its principal) and a creator their abandoned attempt's
 * DENIED or FAILED. Admins are decided without `connection` (pass null).
 */
export function canSeeEvent(
  viewer: Viewer,
  e: AuthorizationEventPayload,
  connection: ConnectionVisibility | null,
): boolean {
  if (viewer.workspaceId !== e.workspaceId) return false;
  if (viewer.role === 'ADMIN') return true;
  const own = e.principal.id === viewer.userId || e.actorId === viewer.userId;
  if (!connection) return own;
  if (!canSee(viewer, connection)) return false;
  return own || (!connection.useLoginUserCredentials && e.principal.id === connection.ownerId);
}
