import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { AuthorizationRow, ConnectionRow, ServiceRow } from '../db/entities';
import { hydrate } from '../db/hydrate';
import { effectiveStatus } from './refresh-state';
import { scopeGap } from './scope-drift';
import type { ServiceRegistry } from './service-registry';

export type ConnectionOrderField = 'NAME' | 'SERVICE' | 'STATUS' | 'CREATED';
export interface ConnectionOrderInput {
  field: ConnectionOrderField;
  direction: 'ASC' | 'DESC';
}

/** Statuses that need someone to act whatever the scopes: a reconnect, or a refresh that keeps failing. */
export const ATTENTION_STATUSES = ['NEEDS_REAUTH', 'REFRESH_FAILED'] as const;
// Statuses that hold a grant, so their scopes can drift (scope-drift.ts's GRANTED).
const GRANTED = ['CONNECTED', 'REFRESHING', 'REFRESH_FAILED', 'NEEDS_REAUTH'];

/**
 * The one rule of "needs attention", on the viewer's authorization of a connection: its status as the
 * connection shows it (a refresh whose holder died reads REFRESH_FAILED), or the scope drift its
 * `missingScopes` shows (OAuth services only, as connection-views.ts builds it).
 */
export function needsAttention(
  requested: readonly string[],
  authorization:
    Pick<AuthorizationRow, 'status' | 'grantedScopes' | 'refreshStartedAt' | 'lastError'> | undefined,
  oauth: boolean,
): boolean {
  if (!authorization) return false;
  const status = effectiveStatus(authorization);
  if ((ATTENTION_STATUSES as readonly string[]).includes(status)) return true;
  return oauth && scopeGap(requested, { status, grantedScopes: authorization.grantedScopes }).length > 0;
}

/**
 * Narrows the list statement (`c` joined to the viewer's authorization `a`, every other filter applied) to
 * the connections that need attention, or to the others. Scope drift is a set difference between two JSON
 * lists, which portable SQL cannot express: a first, narrow statement reads the candidates (an attention
 * status, or requested scopes whose stored list differs from the granted one) with just those columns, the
 * rule above decides, and the list statement keeps the ids. Two statements whatever the page size.
 */
export async function filterNeedsAttention(
  { ds, registry }: { ds: DataSource; registry: Pick<ServiceRegistry, 'view'> },
  qb: SelectQueryBuilder<ConnectionRow>,
  wanted: boolean,
): Promise<void> {
  const candidates = await qb
    .clone()
    .select(['c.id', 'c.scopes', 's'])
    .addSelect(['a.id', 'a.status', 'a.grantedScopes', 'a.refreshStartedAt', 'a.lastError'])
    .andWhere(
      `("a"."status" IN (:...attention) OR ("a"."status" IN (:...granted) AND "c"."scopes" <> :none AND "c"."scopes" <> "a"."grantedScopes"))`,
      { attention: [...ATTENTION_STATUSES, 'REFRESHING'], granted: GRANTED, none: '[]' },
    )
    .getRawMany<Record<string, unknown>>();
  const ids = candidates
    .filter((r) => {
      const { authType } = registry.view(hydrate(ds, ServiceRow, r, 's'));
      const oauth = authType === 'OAUTH2' || authType === 'OAUTH1';
      return needsAttention(
        hydrate(ds, ConnectionRow, r, 'c').scopes,
        hydrate(ds, AuthorizationRow, r, 'a'),
        oauth,
      );
    })
    .map((r) => r.c_id as string);
  if (wanted) qb.andWhere(ids.length ? '"c"."id" IN (:...attentionIds)' : '1 = 0', { attentionIds: ids });
  else if (ids.length) qb.andWhere('"c"."id" NOT IN (:...attentionIds)', { attentionIds: ids });
}

// The viewer's status, worst first: what needs a person before what works, NOT_CONNECTED last.
const STATUS_RANK = `CASE COALESCE("a"."status", 'NOT_CONNECTED') WHEN 'NEEDS_REAUTH' THEN 0 WHEN 'REFRESH_FAILED' THEN 1 WHEN 'FAILED' THEN 2 WHEN 'DENIED' THEN 3 WHEN 'PENDING' THEN 4 WHEN 'REFRESHING' THEN 5 WHEN 'CONNECTED' THEN 6 WHEN 'REVOKED' THEN 7 ELSE 8 END`;

const SORT_KEY: Record<ConnectionOrderField, string> = {
  NAME: 'LOWER("c"."name")',
  // A catalog service's row may carry no name of its own: its slug is the catalog key, close to the name.
  SERVICE: 'LOWER(COALESCE("s"."name", "s"."slug"))',
  STATUS: STATUS_RANK,
  CREATED: '"c"."createdAt"',
};

/**
 * Orders the list (newest first by default). The id breaks ties in the same direction, so the order is total
 * and an offset cursor reads the next page without repeating or skipping a row.
 */
export function orderConnections(
  qb: SelectQueryBuilder<ConnectionRow>,
  order: ConnectionOrderInput | undefined,
): SelectQueryBuilder<ConnectionRow> {
  const { field, direction } = order ?? { field: 'CREATED', direction: 'DESC' };
  return qb.orderBy(SORT_KEY[field], direction).addOrderBy('c.id', direction);
}
