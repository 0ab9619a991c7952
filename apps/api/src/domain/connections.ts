import type { Authorization as AuthorizationView, Connection as ConnectionView } from '@connections/schema';
import { type DataSource, type EntityManager, In } from 'typeorm';
import {
  AuthorizationAttemptRow,
  AuthorizationRow,
  ConnectionRow,
  ExtensionRow,
  ServiceRow,
  UserRow,
} from '../db/entities';
import { hydrate } from '../db/hydrate';
import { escapeLike, isUniqueViolation } from '../db/sql';
import { newId } from '../db/entities/base';
import type { AuthorizationStatus } from '../db/entities/authorization';
import { AppError, badInput, forbidden, notFound } from '../errors';
import type { AuditService } from './audit';
import { deriveLinkName, firstFreeLinkName } from './link-name';
import { type ServiceRegistry, serviceRef } from './service-registry';
import { checkScopes } from './service-validation';
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

export interface CreateConnectionInput {
  name: string;
  linkName?: string | null;
  service: string;
  scopes?: string[] | null;
  useLoginUserCredentials: boolean;
  extensionId?: string | null;
  subdomain?: string | null;
}

/** Statuses under which a login-user connection counts as authorized by that user (its SHARED list). */
const AUTHORIZED: AuthorizationStatus[] = ['CONNECTED', 'REFRESHING', 'REFRESH_FAILED', 'NEEDS_REAUTH'];

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
const AUTHORIZATION_LIST_COLUMNS = [
  'id',
  'principalId',
  'status',
  'grantedScopes',
  'expiresAt',
  'accountId',
  'accountName',
  'lastError',
  'connectedAt',
  'updatedAt',
];

export class ConnectionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: ServiceRegistry,
    private readonly audit: AuditService,
  ) {}

  /** The principal whose authorization an invocation by `userId` uses. */
  static principalFor(
    connection: Pick<ConnectionRow, 'useLoginUserCredentials' | 'ownerId'>,
    userId: string,
  ): string {
    return connection.useLoginUserCredentials ? userId : connection.ownerId;
  }

  async list(
    viewer: Viewer,
    filter: ConnectionFilterInput,
    window: { offset: number; limit: number },
  ): Promise<{ nodes: ConnectionView[]; total: number }> {
    // One statement: the page, its services and owners, the viewer's authorization for each connection (the
    // viewer's own for login-user connections, the owner's otherwise) and the total, so the number of queries
    // stays the same whatever the page size.
    const qb = this.ds
      .getRepository(ConnectionRow)
      .createQueryBuilder('c')
      .innerJoin('c.service', 's')
      .innerJoin('c.owner', 'o')
      .leftJoin(
        AuthorizationRow,
        'a',
        '"a"."connectionId" = "c"."id" AND "a"."principalId" = CASE WHEN "c"."useLoginUserCredentials" = :yes THEN :me ELSE "c"."ownerId" END',
      )
      .where('"c"."workspaceId" = :ws', { ws: viewer.workspaceId })
      .setParameters({ me: viewer.userId, yes: true, authorized: AUTHORIZED });
    const authorizedByMe =
      'EXISTS (SELECT 1 FROM "authorization" am WHERE "am"."connectionId" = "c"."id" AND "am"."principalId" = :me AND "am"."status" IN (:...authorized))';
    if (filter.scope === 'OWN') qb.andWhere('"c"."ownerId" = :me');
    else if (filter.scope === 'SHARED')
      qb.andWhere(`"c"."ownerId" <> :me AND "c"."useLoginUserCredentials" = :yes AND ${authorizedByMe}`);
    else if (viewer.role !== 'ADMIN')
      qb.andWhere(
        `("c"."ownerId" = :me OR "c"."useLoginUserCredentials" = :yes OR EXISTS (SELECT 1 FROM "authorization" ax WHERE "ax"."connectionId" = "c"."id" AND "ax"."principalId" = :me))`,
      );
    if (filter.service) {
      const service = await this.registry.find(viewer.workspaceId, serviceRef(filter.service));
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
    const raw = await qb
      .select(CONNECTION_LIST_COLUMNS.map((c) => `c.${c}`))
      .addSelect(['o.id', 'o.email', 'o.displayName'])
      // The authorization's status and metadata, never its encrypted credentials: a list has no use for them.
      .addSelect(AUTHORIZATION_LIST_COLUMNS.map((c) => `a.${c}`))
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
        ? (await this.ds.getRepository(ServiceRow).findBy({ id: In(serviceIds) })).map((x) => [
            x.id,
            { row: x, view: this.registry.view(x) },
          ])
        : [],
    );
    const nodes = raw.map((r) => {
      const row = hydrate(this.ds, ConnectionRow, r, 'c');
      const service = services.get(row.serviceId)!;
      row.service = service.row;
      row.owner = hydrate(this.ds, UserRow, r, 'o');
      const auth = r.a_id == null ? undefined : hydrate(this.ds, AuthorizationRow, r, 'a');
      return this.view(viewer, row, auth, service.view);
    });
    return { nodes, total };
  }

  async get(viewer: Viewer, ref: { id?: string | null; linkName?: string | null }): Promise<ConnectionView> {
    const row = await this.findVisible(viewer, ref);
    return (await this.views(viewer, [row]))[0]!;
  }

  /** A connection the viewer may see, or NOT_FOUND (never FORBIDDEN: that would confirm it exists). */
  async findVisible(
    viewer: Viewer,
    ref: { id?: string | null; linkName?: string | null },
  ): Promise<ConnectionRow> {
    if (!ref.id && !ref.linkName) throw badInput('id', 'give a connection id or link name');
    // find, not findOne: with joins, findOne's LIMIT 1 makes TypeORM run a second, DISTINCT query first. The id
    // and (workspace, link name) are unique, so there is at most one row; this lookup is on every invocation.
    const [row] = await this.ds.getRepository(ConnectionRow).find({
      where: ref.id
        ? { id: ref.id, workspaceId: viewer.workspaceId }
        : { linkName: ref.linkName!, workspaceId: viewer.workspaceId },
      relations: { service: true, owner: true },
    });
    if (!row || !(await this.canSee(viewer, row))) throw notFound('Connection');
    return row;
  }

  private async canSee(viewer: Viewer, row: ConnectionRow): Promise<boolean> {
    if (viewer.role === 'ADMIN' || row.ownerId === viewer.userId || row.useLoginUserCredentials) return true;
    return (
      (await this.ds
        .getRepository(AuthorizationRow)
        .countBy({ connectionId: row.id, principalId: viewer.userId })) > 0
    );
  }

  /** The view of one connection, with the viewer's authorization loaded when not given. */
  private async views(viewer: Viewer, rows: ConnectionRow[]): Promise<ConnectionView[]> {
    if (rows.length === 0) return [];
    const auths = await this.ds.getRepository(AuthorizationRow).findBy({
      connectionId: In(rows.map((r) => r.id)),
      principalId: In([...new Set(rows.map((r) => ConnectionsService.principalFor(r, viewer.userId)))]),
    });
    const byKey = new Map(auths.map((a) => [`${a.connectionId}:${a.principalId}`, a]));
    return rows.map((r) =>
      this.view(viewer, r, byKey.get(`${r.id}:${ConnectionsService.principalFor(r, viewer.userId)}`)),
    );
  }

  private view(
    viewer: Viewer,
    r: ConnectionRow,
    auth: AuthorizationRow | undefined,
    serviceView = this.registry.view(r.service),
  ): ConnectionView {
    // The principal is the owner (joined) or, for login-user connections, the viewer (known from sign-in).
    const principal = auth && (auth.principalId === r.ownerId ? r.owner : viewer.user);
    return {
      id: r.id,
      name: r.name,
      linkName: r.linkName,
      service: serviceView,
      scopes: r.scopes,
      useLoginUserCredentials: r.useLoginUserCredentials,
      owner: userView(r.owner!),
      extensionId: r.extensionId ?? null,
      status: (auth?.status ?? 'NOT_CONNECTED') as ConnectionView['status'],
      authorization: auth ? authorizationView(auth, principal) : null,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  /**
   * Creates a connection owned by the viewer. `inTransaction` runs in the same transaction (a first
   * authorization, an attempt): when it throws, nothing is created.
   */
  async create(
    viewer: Viewer,
    input: CreateConnectionInput,
    inTransaction?: (row: ConnectionRow, m: EntityManager) => Promise<void>,
  ): Promise<ConnectionView> {
    const row = await this.ds
      .transaction(async (m) => {
        const created = await this.createInTransaction(viewer, input, m);
        await inTransaction?.(created, m);
        return created;
      })
      .catch(rethrowUniqueViolation);
    return this.get(viewer, { id: row.id });
  }

  /**
   * The checks and writes of `create` in the caller's transaction, so that several connections (an
   * extension's) are created together or not at all. The caller maps unique violations with
   * `rethrowUniqueViolation` once its transaction has failed. Returns the row with its service loaded.
   */
  async createInTransaction(
    viewer: Viewer,
    input: CreateConnectionInput,
    m: EntityManager,
  ): Promise<ConnectionRow> {
    const name = input.name.trim();
    if (!name || name.length > 50) throw badInput('name', 'must be 1 to 50 characters');
    const service = await this.registry.rowForConnection(viewer.workspaceId, input.service, m);
    const view = this.registry.view(service);
    const scopes = checkScopes('scopes', input.scopes ?? view.defaultScopes, view.scopeDelimiter);
    if (view.needsSubdomain && !input.subdomain)
      throw badInput(
        'subdomain',
        `${view.name} needs your account's subdomain (the [subdomain] in its URLs)`,
      );
    if (!view.needsSubdomain && input.subdomain) throw badInput('subdomain', `${view.name} has no subdomain`);
    if (
      input.extensionId &&
      !(await m.countBy(ExtensionRow, { id: input.extensionId, workspaceId: viewer.workspaceId }))
    )
      throw notFound('Extension');
    const linkName = await this.chooseLinkName(viewer.workspaceId, name, input.linkName, m);
    const created = m.create(ConnectionRow, {
      id: newId(),
      workspaceId: viewer.workspaceId,
      name,
      linkName,
      serviceId: service.id,
      scopes,
      useLoginUserCredentials: input.useLoginUserCredentials,
      ownerId: viewer.userId,
      extensionId: input.extensionId ?? null,
      subdomain: input.subdomain ?? null,
    });
    await m.save(ConnectionRow, created);
    await this.audit.record(
      viewer,
      {
        action: 'connection.created',
        targetType: 'connection',
        targetId: created.id,
        connectionId: created.id,
        message: `Created connection "${name}" (${linkName}) to ${view.name}`,
        metadata: { linkName, service: view.slug, useLoginUserCredentials: input.useLoginUserCredentials },
      },
      m,
    );
    created.service = service;
    return created;
  }

  private async chooseLinkName(
    workspaceId: string,
    name: string,
    requested: string | null | undefined,
    m: EntityManager,
  ) {
    if (requested) {
      if (!/^[a-z0-9_]{1,50}$/.test(requested))
        throw badInput('linkName', 'must be 1 to 50 characters of a-z, 0-9 and _');
      if (await m.countBy(ConnectionRow, { workspaceId, linkName: requested }))
        throw new AppError('CONFLICT', `The link name "${requested}" is already used in this workspace.`, {
          field: 'linkName',
        });
      return requested;
    }
    const base = deriveLinkName(name);
    const taken = await m
      .getRepository(ConnectionRow)
      .createQueryBuilder('c')
      .select('c.linkName', 'linkName')
      .where('c.workspaceId = :workspaceId AND c.linkName LIKE :prefix', {
        workspaceId,
        prefix: `${base.slice(0, 40)}%`,
      })
      .getRawMany<{ linkName: string }>();
    return firstFreeLinkName(base, new Set(taken.map((t) => t.linkName)));
  }

  /** Only the owner or an admin may change or delete a connection. */
  assertCanManage(viewer: Viewer, row: ConnectionRow): void {
    if (row.ownerId !== viewer.userId && viewer.role !== 'ADMIN')
      throw forbidden('Only the owner of this connection or an admin can do this.');
  }

  /** Deletes a connection and its authorizations; `inTransaction` records what goes with it (events). */
  async delete(
    viewer: Viewer,
    id: string,
    inTransaction?: (row: ConnectionRow, m: EntityManager) => Promise<void>,
  ): Promise<string> {
    const row = await this.findVisible(viewer, { id });
    this.assertCanManage(viewer, row);
    await this.ds.transaction(async (m) => {
      await inTransaction?.(row, m);
      await this.deleteInTransaction(viewer, row, m);
    });
    return row.id;
  }

  /** The writes of `delete` in the caller's transaction; the caller has checked the viewer may do it. */
  async deleteInTransaction(viewer: Viewer, row: ConnectionRow, m: EntityManager): Promise<void> {
    await m.delete(AuthorizationAttemptRow, { connectionId: row.id });
    await m.delete(AuthorizationRow, { connectionId: row.id });
    await m.delete(ConnectionRow, { id: row.id });
    await this.audit.record(
      viewer,
      {
        action: 'connection.deleted',
        targetType: 'connection',
        targetId: row.id,
        connectionId: row.id,
        message: `Deleted connection "${row.name}" (${row.linkName})`,
        metadata: { linkName: row.linkName },
      },
      m,
    );
  }
}

/**
 * Two creates racing: the unique indexes decide, and the loser hears why (a link name, or the catalog
 * service's row that both tried to create first: trying again then finds it).
 */
export function rethrowUniqueViolation(e: unknown): never {
  if (isUniqueViolation(e, 'linkName'))
    throw new AppError('CONFLICT', `The link name is already used in this workspace.`, { field: 'linkName' });
  if (isUniqueViolation(e))
    throw new AppError('CONFLICT', 'Another change to this workspace happened at the same time: try again.');
  throw e;
}

export function userView(u: Pick<UserRow, 'id' | 'email' | 'displayName'>) {
  return { id: u.id, email: u.email, displayName: u.displayName };
}

export function authorizationView(
  a: AuthorizationRow,
  principal: Pick<UserRow, 'id' | 'email' | 'displayName'> | undefined,
): AuthorizationView {
  return {
    id: a.id,
    principal: principal
      ? userView(principal)
      : { id: a.principalId, email: '', displayName: 'Unknown user' },
    status: a.status as AuthorizationView['status'],
    grantedScopes: a.grantedScopes,
    expiresAt: a.expiresAt ?? null,
    account: a.accountId ? { id: a.accountId, name: a.accountName ?? null } : null,
    lastError: a.lastError ?? null,
    connectedAt: a.connectedAt ?? null,
    updatedAt: a.updatedAt,
  };
}
