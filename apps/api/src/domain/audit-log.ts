import type { AuditEvent } from '@connections/schema';
import type { AuditFilter, AuditService } from './audit';
import type { ConnectionsService } from './connections';
import type { Viewer } from './viewer';

/**
 * The audit events a viewer may read. Admins read the workspace's events, filtered as they ask. A member reads
 * a connection's events when they can see the connection (NOT_FOUND otherwise, as everywhere a connection is
 * looked up), and without a connection only the events they caused. Lives apart from `AuditService` because
 * connections.ts records audit events: the visibility check here would otherwise make an import cycle.
 */
export async function auditEventsFor(
  services: { audit: AuditService; connections: Pick<ConnectionsService, 'findVisible'> },
  viewer: Viewer,
  filter: AuditFilter | undefined,
  page: { offset: number; limit: number },
): Promise<{ nodes: AuditEvent[]; total: number }> {
  const f = { ...filter };
  if (viewer.role !== 'ADMIN') {
    if (f.connectionId) await services.connections.findVisible(viewer, { id: f.connectionId });
    else f.actorId = viewer.userId;
  }
  return services.audit.list(viewer.workspaceId, f, page);
}
