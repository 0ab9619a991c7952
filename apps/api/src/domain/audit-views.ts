import type { AuditEvent } from '@connections/schema';
import type { AuditEventRow, UserRow } from '../db/entities';
import { auditKind } from './audit-outcome';
import { userView } from './user-views';

/** `actor` is null for system events and for an actor whose user row is gone. */
export function auditEventView(
  r: AuditEventRow,
  actor: Pick<UserRow, 'id' | 'email' | 'displayName'> | undefined,
): AuditEvent {
  return {
    id: r.id,
    action: r.action,
    kind: auditKind(r.action),
    outcome: r.outcome ?? null,
    actor: actor ? userView(actor) : null,
    targetType: r.targetType,
    targetId: r.targetId ?? null,
    connectionId: r.connectionId ?? null,
    message: r.message,
    metadata: r.metadata ?? null,
    createdAt: r.createdAt,
  };
}
