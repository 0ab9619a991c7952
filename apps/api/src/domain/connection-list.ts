import type { Connection as ConnectionView } from '@connections/schema';
import type { DataSource } from 'typeorm';
import { AuthorizationRow, ConnectionRow, ServiceRow, UserRow } from '../db/entities';
import { rowReader } from '../db/hydrate';
import { queryAndParameters } from '../db/query-shapes';
import { selectRows } from '../db/raw-rows';
import { escapeLike } from '../db/sql';
import { accessParams, assertOwnerFilter, scopeSql } from './access';
import { AUTHORIZED, type AuthorizationStatus, type AuthorizationStore } from './authorization-store';
import { type ConnectionOrderInput, filterNeedsAttention, orderConnections } from './connection-list-options';
import { listColumns } from './connection-list-columns';
import { restrictionMembers } from './connection-restriction';
import { connectionView } from './connection-views';
import { type ServiceRegistry, serviceRef } from './service-registry';
import { withUnfinishedDeadlines } from './unfinished-connections';
import type { Viewer } from './viewer';

export type ConnectionScopeFilter = 'OWN' | 'SHARED' | 'ALL';
export type ConnectionStatusValue = AuthorizationStatus | 'NOT_CONNECTED';

export interface ConnectionFilterInput {
  scope: ConnectionScopeFilter;
  service?: string;
  status?: ConnectionStatusValue;
  search?: string;
  /** Only connections of these extensions (the extensions query reads all of theirs in one statement). */
  extensionIds?: string[];
  /** Only connections owned by this member (admins: anyone; others: themselves only). */
  owner?: string;
  /** Only connections that need attention (true) or only the others (false): connection-list-options.ts. */
  needsAttention?: boolean | null;
  /** Newest first when absent. */
  orderBy?: ConnectionOrderInput | null;
  /**
   * Only these fields of each node will be read (the GraphQL selection): the statement reads just the columns
   * they need (connection-list-columns.ts) and the other fields are left unset or wrong. All when absent.
   */
  fields?: ReadonlySet<string> | null;
}

type Deps = { ds: DataSource; store: AuthorizationStore; registry: ServiceRegistry };

/**
 * One statement: the page, its owners, the viewer's authorization for each connection (the rule from
 * access.ts, joined by the authorization store) and the total, so the number of queries stays the same
 * whatever the page size. It reads the columns of the fields asked (connection-list-columns.ts); TypeORM
 * writes its text once per shape (query-shapes.ts), the predicates still come from their rules every time.
 */
export async function listConnections(
  deps: Deps,
  viewer: Viewer,
  filter: ConnectionFilterInput,
  window: { offset: number; limit: number },
): Promise<{ nodes: ConnectionView[]; total: number }> {
  const { ds, store, registry } = deps;
  const qb = orderConnections(await filtered(deps, viewer, filter), filter.orderBy ?? undefined);
  const { columns, wholeAuthorization } = listColumns(filter.fields);
  const selected = qb.select(columns);
  // One row past the page says whether more follow. A page that is not full knows the total without counting;
  // otherwise one COUNT statement. (A window COUNT(*) OVER () on the page statement made SQLite read and sort
  // every connection of the workspace for every page: most of the list's database time, issue 15.)
  const [sql, params] = queryAndParameters(
    (wholeAuthorization ? store.selectListColumns(selected) : selected)
      .offset(window.offset)
      .limit(window.limit + 1),
  );
  // Rows as arrays, mapped straight to the view's inputs (raw-rows.ts): no object per row from the driver.
  const { index, rows: fetched } = await selectRows(ds, sql, params);
  const raw = fetched.slice(0, window.limit);
  const complete = fetched.length <= window.limit && (fetched.length > 0 || window.offset === 0);
  const total = complete ? window.offset + fetched.length : await qb.getCount();
  const readConnection = rowReader(ds, ConnectionRow, index, 'c');
  const readOwner = rowReader(ds, UserRow, index, 'o');
  const readAuthorization = rowReader(ds, AuthorizationRow, index, 'a');
  const authorizationId = index.get('a_id')!;
  // A page holds many connections but few services: read each service once rather than once per row.
  const rows = raw.map(readConnection);
  const serviceIds = [...new Set(rows.map((r) => r.serviceId))];
  const services = new Map(
    (await servicesOf(ds, serviceIds)).map((x) => [x.id, { row: x, view: registry.view(x) }]),
  );
  // The members named in restrictions, once for the page (no query when none is restricted to anyone).
  const members = await restrictionMembers(ds, viewer.workspaceId, rows);
  const nodes = raw.map((r, i) => {
    const row = rows[i]!;
    const service = services.get(row.serviceId)!;
    row.service = service.row;
    row.owner = readOwner(r);
    // The viewer's authorization (store.joinViewerAuthorization), absent when the left join found none.
    const auth = r[authorizationId] == null ? undefined : readAuthorization(r);
    return connectionView(viewer, row, auth, service.view, members);
  });
  return { nodes: await withUnfinishedDeadlines(ds.manager, nodes), total };
}

/** The services of a page's connections, in one statement (as arrays, like the page: raw-rows.ts). */
async function servicesOf(ds: DataSource, ids: string[]): Promise<ServiceRow[]> {
  if (!ids.length) return [];
  const qb = ds.getRepository(ServiceRow).createQueryBuilder('s').where('"s"."id" IN (:...ids)', { ids });
  const [sql, params] = queryAndParameters(qb);
  const { index, rows } = await selectRows(ds, sql, params);
  return rows.map(rowReader(ds, ServiceRow, index, 's'));
}

/** The list statement with the viewer's scope and the filter applied, before selection and paging. */
async function filtered({ ds, store, registry }: Deps, viewer: Viewer, filter: ConnectionFilterInput) {
  const qb = store
    .joinViewerAuthorization(
      ds
        .getRepository(ConnectionRow)
        .createQueryBuilder('c')
        .innerJoin('c.service', 's')
        .innerJoin('c.owner', 'o'),
    )
    .where('"c"."workspaceId" = :ws', { ws: viewer.workspaceId })
    .setParameters({ ...accessParams(viewer), authorized: AUTHORIZED })
    // The scope's predicate is access.ts's (visibility and relation), on the joined authorization `a`.
    .andWhere(scopeSql(viewer, filter.scope, 'c', 'a'));
  if (filter.owner) {
    assertOwnerFilter(viewer, filter.owner);
    qb.andWhere('"c"."ownerId" = :owner', { owner: filter.owner });
  }
  if (filter.service) {
    const service = await registry.find(viewer.workspaceId, serviceRef(filter.service));
    qb.andWhere('"s"."slug" = :slug', { slug: service.slug });
  }
  if (filter.extensionIds)
    qb.andWhere(filter.extensionIds.length ? '"c"."extensionId" IN (:...ext)' : '1 = 0', {
      ext: filter.extensionIds,
    });
  if (filter.search?.trim()) {
    qb.andWhere(`(LOWER("c"."name") LIKE :q ESCAPE '\\' OR "c"."linkName" LIKE :q ESCAPE '\\')`, {
      q: `%${escapeLike(filter.search.trim().toLowerCase())}%`,
    });
  }
  if (filter.status === 'NOT_CONNECTED') qb.andWhere('"a"."id" IS NULL');
  else if (filter.status) qb.andWhere('"a"."status" = :status', { status: filter.status });
  // Last: it reads the candidates with every other filter applied.
  if (filter.needsAttention != null) await filterNeedsAttention({ ds, registry }, qb, filter.needsAttention);
  return qb;
}
