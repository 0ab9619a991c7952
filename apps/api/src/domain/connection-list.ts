import type { Connection as ConnectionView } from '@connections/schema';
import { type DataSource, In } from 'typeorm';
import { ConnectionRow, ServiceRow, UserRow } from '../db/entities';
import { hydrate } from '../db/hydrate';
import { escapeLike } from '../db/sql';
import { visibleSql } from './access';
import { AUTHORIZED, type AuthorizationStatus, type AuthorizationStore } from './authorization-store';
import { connectionView } from './connection-views';
import { type ServiceRegistry, serviceRef } from './service-registry';
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
}

// What a list shows; every column a row carries costs on every row of every page.
const CONNECTION_LIST_COLUMNS = [
  'id',
  'name',
  'linkName',
  'serviceId',
  'scopes',
  'useLoginUserCredentials',
  'ownerId',
  'extensionId',
  'subdomain',
  'createdAt',
  'updatedAt',
];

type Deps = { ds: DataSource; store: AuthorizationStore; registry: ServiceRegistry };

/**
 * One statement: the page, its owners, the viewer's authorization for each connection (the rule from
 * access.ts, joined by the authorization store) and the total, so the number of queries stays the same
 * whatever the page size.
 */
export async function listConnections(
  deps: Deps,
  viewer: Viewer,
  filter: ConnectionFilterInput,
  window: { offset: number; limit: number },
): Promise<{ nodes: ConnectionView[]; total: number }> {
  const { ds, store, registry } = deps;
  const qb = await filtered(deps, viewer, filter);
  const raw = await store
    .selectListColumns(
      qb.select(CONNECTION_LIST_COLUMNS.map((c) => `c.${c}`)).addSelect(['o.id', 'o.email', 'o.displayName']),
    )
    .addSelect('COUNT(*) OVER ()', 'total')
    .orderBy('c.createdAt', 'DESC')
    .addOrderBy('c.id', 'DESC')
    .offset(window.offset)
    .limit(window.limit)
    .getRawMany<Record<string, unknown>>();
  // A page past the end has no row to carry the total: count once in that case only.
  const total = raw.length ? Number(raw[0]!.total) : window.offset > 0 ? await qb.getCount() : 0;
  // A page holds many connections but few services: read each service once rather than once per row.
  const serviceIds = [...new Set(raw.map((r) => r.c_serviceId as string))];
  const services = new Map(
    serviceIds.length
      ? (await ds.getRepository(ServiceRow).findBy({ id: In(serviceIds) })).map((x) => [
          x.id,
          { row: x, view: registry.view(x) },
        ])
      : [],
  );
  const nodes = raw.map((r) => {
    const row = hydrate(ds, ConnectionRow, r, 'c');
    const service = services.get(row.serviceId)!;
    row.service = service.row;
    row.owner = hydrate(ds, UserRow, r, 'o');
    return connectionView(viewer, row, store.hydrateListRow(r), service.view);
  });
  return { nodes, total };
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
    .setParameters({ me: viewer.userId, yes: true, authorized: AUTHORIZED });
  if (filter.scope === 'OWN') qb.andWhere('"c"."ownerId" = :me');
  else if (filter.scope === 'SHARED')
    qb.andWhere(
      `"c"."ownerId" <> :me AND "c"."useLoginUserCredentials" = :yes AND ${store.heldByViewerSql('am', 'authorized')}`,
    );
  else if (viewer.role !== 'ADMIN') qb.andWhere(visibleSql('c', store.heldByViewerSql('ax')));
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
  return qb;
}
