import type { AuditEvent } from '@connections/schema';
import { type DataSource, In, type SelectQueryBuilder } from 'typeorm';
import { AuditEventRow, UserRow } from '../db/entities';
import { escapeLike } from '../db/sql';
import { badInput } from '../errors';
import { AUTHORIZATION_PREFIX, type AuditKind, type AuditOutcome, INVOCATION_ACTION } from './audit-outcome';
import { auditEventView } from './audit-views';
import type { ConnectionsService } from './connections';
import { MAX_PAGE_SIZE } from './pagination';
import type { Viewer } from './viewer';

export interface AuditLogFilter {
  connectionId?: string | null;
  /** An action, or a prefix ending in "." */
  action?: string | null;
  /** The member who did it (for calls: who called). */
  actorId?: string | null;
  kind?: AuditKind | null;
  outcome?: AuditOutcome | null;
}

export interface AuditLogPage {
  nodes: AuditEvent[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * The events a non-admin may read, as a condition on `audit_event` (alias `e`): those where they are the actor
 * (what they did, their own invocations included) or the principal (an authorization event's target is its
 * principal; every event of an owner-credential connection they own concerns their credentials, members'
 * calls through it included), plus the lifecycle of connections they own (`connection.*` but not
 * `connection.invoked`): never another principal's calls or authorizations on a login-user connection they
 * happen to own. Plain SQL on columns (no JSON): the same on SQLite and PostgreSQL.
 */
export function memberVisibility(userId: string): { sql: string; params: Record<string, unknown> } {
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

const KIND_SQL: Record<AuditKind, string> = {
  INVOCATION: `"e"."action" = :invoked`,
  AUTHORIZATION: `"e"."action" LIKE :authPrefix`,
  CHANGE: `"e"."action" <> :invoked AND "e"."action" NOT LIKE :authPrefix`,
};

/**
 * Cursors name the last event of a page (`a:<id>`). The next page is read relative to that row's own stored
 * time, compared in SQL: a time carried in the cursor would lose PostgreSQL's microseconds in a JavaScript
 * Date and skip rows. New events arriving at the top never shift the pages after it (offsets would).
 */
const encodeCursor = (id: string) => Buffer.from(`a:${id}`).toString('base64url');
function decodeCursor(after: string): string {
  const m = /^a:([0-9a-f-]{36})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!m) throw badInput('after', 'is not a cursor returned by this API');
  return m[1]!;
}

/**
 * The activity log: the audit events a viewer may read, filtered by connection, member, kind and outcome,
 * newest first, paged with cursors. Admins read the workspace's events; a member asking for a connection's
 * events must be able to see the connection (NOT_FOUND otherwise, as everywhere a connection is looked up)
 * and reads only what `memberVisibility` grants. Apart from `AuditService` (the writer), because
 * connections.ts records audit events: the visibility check here would otherwise make an import cycle.
 */
export class AuditLog {
  constructor(
    private readonly ds: DataSource,
    private readonly connections: Pick<ConnectionsService, 'findVisible'>,
  ) {}

  async list(
    viewer: Viewer,
    filter: AuditLogFilter | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<AuditLogPage> {
    const limit = first ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
      throw badInput('first', `must be 1 to ${MAX_PAGE_SIZE}`);
    if (viewer.role !== 'ADMIN' && filter?.connectionId)
      await this.connections.findVisible(viewer, { id: filter.connectionId });
    const qb = this.filtered(viewer, filter ?? {});
    const totalCount = await qb.clone().getCount();
    if (after) await this.keysetAfter(qb, viewer.workspaceId, decodeCursor(after));
    const rows = await qb
      .orderBy('e.createdAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const actors = await this.actors(page);
    return {
      nodes: page.map((r) => auditEventView(r, r.actorId ? actors.get(r.actorId) : undefined)),
      totalCount,
      pageInfo: {
        hasNextPage: rows.length > limit,
        endCursor: page.length ? encodeCursor(page[page.length - 1]!.id) : null,
      },
    };
  }

  private filtered(viewer: Viewer, f: AuditLogFilter): SelectQueryBuilder<AuditEventRow> {
    const qb = this.ds
      .getRepository(AuditEventRow)
      .createQueryBuilder('e')
      .where('e.workspaceId = :workspaceId', { workspaceId: viewer.workspaceId });
    if (f.connectionId) qb.andWhere('e.connectionId = :cid', { cid: f.connectionId });
    if (f.actorId) qb.andWhere('e.actorId = :aid', { aid: f.actorId });
    if (f.kind)
      qb.andWhere(`(${KIND_SQL[f.kind]})`, {
        invoked: INVOCATION_ACTION,
        authPrefix: `${AUTHORIZATION_PREFIX}%`,
      });
    if (f.outcome) qb.andWhere('e.outcome = :outcome', { outcome: f.outcome });
    if (f.action?.endsWith('.'))
      qb.andWhere(`e.action LIKE :prefix ESCAPE '\\'`, { prefix: `${escapeLike(f.action)}%` });
    else if (f.action) qb.andWhere('e.action = :action', { action: f.action });
    if (viewer.role !== 'ADMIN') {
      const v = memberVisibility(viewer.userId);
      qb.andWhere(`(${v.sql})`, v.params);
    }
    return qb;
  }

  /** Rows after the cursor's row in (createdAt DESC, id DESC) order; a cursor of another workspace is refused. */
  private async keysetAfter(qb: SelectQueryBuilder<AuditEventRow>, workspaceId: string, anchor: string) {
    const exists = await this.ds.getRepository(AuditEventRow).exists({ where: { id: anchor, workspaceId } });
    if (!exists) throw badInput('after', 'is not a cursor returned by this API');
    const at = `(SELECT "a"."createdAt" FROM "audit_event" "a" WHERE "a"."id" = :anchor)`;
    qb.andWhere(`("e"."createdAt" < ${at} OR ("e"."createdAt" = ${at} AND "e"."id" < :anchor))`, { anchor });
  }

  /** Actors of a page of events, in one query. */
  private async actors(rows: AuditEventRow[]): Promise<Map<string, UserRow>> {
    const ids = [...new Set(rows.map((r) => r.actorId).filter((id): id is string => !!id))];
    if (!ids.length) return new Map();
    const users = await this.ds.getRepository(UserRow).findBy({ id: In(ids) });
    return new Map(users.map((u) => [u.id, u]));
  }
}
