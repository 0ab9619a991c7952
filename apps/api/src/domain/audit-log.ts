import type { AuditEvent } from '@connections/schema';
import type { AuditFilter, AuditService } from './audit';
import type { ConnectionsService } from './connections';
import type { Viewer } from './viewer';

/**
 * The events a non-admin may read, as a condition on `audit_event` (alias `e`): those where they are the actor
 * (what they did, their own invocations included) or the principal (an authorization event's target is its
 * principal; every event of an owner-credential connection they own concerns their credentials, members'
 * calls through it included), plus the lifecycle of connections they own (`connection.*` but not
 * `connection.invoked`): never another principal's calls or authorizations on a login-user connection they
 * happen to own. Plain SQL on columns (no JSON): the same on SQLite and PostgreSQL.
 */
function memberVisibility(userId: string): NonNullable<AuditFilter['restrict']> {
  const owned = (extra = '') =>
    `"e"."connectionId" IN (SELECT "c"."id" FROM "connection" "c" WHERE "c"."ownerId" = :auditMe${extra})`;
  return {
    sql: [
      `"e"."actorId" = :auditMe`,
      `("e"."targetType" = 'authorization' AND "e"."targetId" = :auditMe)`,
      owned(` AND "c"."useLoginUserCredentials" = :auditNo`),
      `(${owned()} AND "e"."action" LIKE 'connection.%' AND "e"."action" <> 'connection.invoked')`,
    ].join(' OR '),
    params: { auditMe: userId, auditNo: false },
  };
}

/**
 * The audit events a viewer may read. Admins read the workspace's events, filtered as they ask. A member
 * asking for a connection's events must be able to see the connection (NOT_FOUND otherwise, as everywhere a
 * connection is looked up), and reads only the events `memberVisibility` grants, with or without a
 * connection. Lives apart from `AuditService` because connections.ts records audit events: the visibility
 * check here would otherwise make an import cycle.
 */
export async function auditEventsFor(
  services: { audit: AuditService; connections: Pick<ConnectionsService, 'findVisible'> },
  viewer: Viewer,
  filter: Pick<AuditFilter, 'connectionId' | 'action' | 'actorId'> | undefined,
  page: { offset: number; limit: number },
): Promise<{ nodes: AuditEvent[]; total: number }> {
  const f: AuditFilter = {
    connectionId: filter?.connectionId,
    action: filter?.action,
    actorId: filter?.actorId,
  };
  if (viewer.role !== 'ADMIN') {
    if (f.connectionId) await services.connections.findVisible(viewer, { id: f.connectionId });
    f.restrict = memberVisibility(viewer.userId);
  }
  return services.audit.list(viewer.workspaceId, f, page);
}
