import type { ConnectionHealth } from '@connections/schema';
import type { DataSource } from 'typeorm';
import { AuditEventRow, ConnectionRow } from '../db/entities';
import type { AuditService } from './audit';
import { memberVisibility } from './audit-log';
import { INVOCATION_ACTION } from './audit-outcome';
import type { Viewer } from './viewer';

const DAY_MS = 24 * 60 * 60_000;

export const NO_CALLS: ConnectionHealth = {
  lastUsedAt: null,
  lastSuccessAt: null,
  calls24h: 0,
  errors24h: 0,
};

/**
 * Health at a glance, from the calls the activity log records (`connection.invoked`, with their outcome):
 * the last call, the last successful one, and the calls and failed calls over the last 24 hours. A viewer
 * counts the calls they may read in the activity log (the rule of audit-log.ts): admins every call, members
 * their own and every call of an owner-credential connection they own, never another member's calls.
 */
export class ConnectionHealthReader {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: Pick<AuditService, 'flush'>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The health of each connection, in one statement whatever the number of connections: per connection, two
   * seeks (the newest call, the newest successful one) and two short ranges (the calls since a day ago) on
   * the index (connectionId, action, createdAt). Connections of another workspace, or unknown, get no entry.
   */
  async forConnections(
    viewer: Viewer,
    connectionIds: readonly string[],
  ): Promise<Map<string, ConnectionHealth>> {
    const ids = [...new Set(connectionIds)];
    if (ids.length === 0) return new Map();
    // Calls go through the audit write-behind queue: a call that has returned is counted.
    await this.audit.flush();
    const visible = viewer.role === 'ADMIN' ? null : memberVisibility(viewer.userId);
    const calls = (extra = '') =>
      `FROM "audit_event" "e" WHERE "e"."connectionId" = "c"."id" AND "e"."action" = :invoked${
        visible ? ` AND (${visible.sql})` : ''
      }${extra}`;
    const newest = (extra = '') =>
      `(SELECT "e"."createdAt" ${calls(extra)} ORDER BY "e"."createdAt" DESC LIMIT 1)`;
    const since = ` AND "e"."createdAt" >= :since`;
    const raw = await this.ds
      .createQueryBuilder()
      .select('"c"."id"', 'id')
      .addSelect(newest(), 'lastUsedAt')
      .addSelect(newest(` AND "e"."outcome" = :success`), 'lastSuccessAt')
      .addSelect(`(SELECT COUNT(*) ${calls(since)})`, 'calls24h')
      .addSelect(`(SELECT COUNT(*) ${calls(`${since} AND "e"."outcome" = :failure`)})`, 'errors24h')
      .from(ConnectionRow, 'c')
      .where('"c"."workspaceId" = :ws AND "c"."id" IN (:...ids)', { ws: viewer.workspaceId, ids })
      .setParameters({
        invoked: INVOCATION_ACTION,
        success: 'SUCCESS',
        failure: 'FAILURE',
        since: new Date(this.now() - DAY_MS),
        ...visible?.params,
      })
      .getRawMany<Record<string, unknown>>();
    const createdAt = this.ds.getMetadata(AuditEventRow).findColumnWithPropertyName('createdAt')!;
    const date = (v: unknown) =>
      v == null ? null : (this.ds.driver.prepareHydratedValue(v, createdAt) as Date);
    return new Map(
      raw.map((r) => [
        r.id as string,
        {
          lastUsedAt: date(r.lastUsedAt),
          lastSuccessAt: date(r.lastSuccessAt),
          calls24h: Number(r.calls24h ?? 0),
          errors24h: Number(r.errors24h ?? 0),
        },
      ]),
    );
  }
}
