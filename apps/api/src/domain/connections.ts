import type { Connection as ConnectionView } from '@connections/schema';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthorizationAttemptRow, ConnectionRow, ExtensionRow } from '../db/entities';
import { isUniqueViolation } from '../db/sql';
import { newId } from '../db/entities/base';
import { AppError, badInput, forbidden, notFound } from '../errors';
import { canManage, canSee } from './access';
import type { AuditService } from './audit';
import type { EventTx } from './authorization-events';
import type { AuthorizationStore } from './authorization-store';
import type { AuthorizationTransitions } from './authorization-transitions';
import { type ConnectionFilterInput, listConnections } from './connection-list';
import { connectionView } from './connection-views';
import { deriveLinkName, firstFreeLinkName } from './link-name';
import type { ServiceRegistry } from './service-registry';
import { checkScopes } from './service-validation';
import type { Viewer } from './viewer';

export type { ConnectionFilterInput, ConnectionScopeFilter, ConnectionStatusValue } from './connection-list';
export { authorizationView } from './connection-views';
export { userView } from './user-views';

export interface CreateConnectionInput {
  name: string;
  linkName?: string | null;
  service: string;
  scopes?: string[] | null;
  useLoginUserCredentials: boolean;
  extensionId?: string | null;
  subdomain?: string | null;
}

export class ConnectionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: ServiceRegistry,
    private readonly audit: AuditService,
    private readonly store: AuthorizationStore,
    private readonly transitions: AuthorizationTransitions,
  ) {}

  list(viewer: Viewer, filter: ConnectionFilterInput, window: { offset: number; limit: number }) {
    return listConnections(
      { ds: this.ds, store: this.store, registry: this.registry },
      viewer,
      filter,
      window,
    );
  }

  async get(viewer: Viewer, ref: { id?: string | null; linkName?: string | null }): Promise<ConnectionView> {
    return (await this.views(viewer, [await this.findVisible(viewer, ref)]))[0]!;
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
    if (!row || !(await canSee(viewer, row, () => this.store.hasOwn(row.id, viewer.userId))))
      throw notFound('Connection');
    return row;
  }

  /** The views of connections, with the viewer's authorization of each read in one query. */
  async views(viewer: Viewer, rows: ConnectionRow[]): Promise<ConnectionView[]> {
    const auths = await this.store.forViewer(viewer, rows);
    return rows.map((r) => connectionView(viewer, r, auths.get(r.id), this.registry.view(r.service)));
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
    // An extension's uninstall deletes its connections: attaching one to an extension is an admin's call
    // (installExtension, admins only, passes through here), or a member could have another's uninstall
    // delete their connection, or slip one into an extension.
    if (input.extensionId && viewer.role !== 'ADMIN')
      throw new AppError('FORBIDDEN', 'extensionId: only an admin can attach a connection to an extension', {
        field: 'extensionId',
      });
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
    if (!canManage(viewer, row))
      throw forbidden('Only the owner of this connection or an admin can do this.');
  }

  /**
   * Deletes a connection in the caller's event transaction, with its attempts and authorizations (each
   * principal hears DELETED); the caller has checked the viewer may do it and revoked upstream first.
   */
  async deleteInTransaction(viewer: Viewer, row: ConnectionRow, tx: EventTx, authorizations: number) {
    const m = tx.manager;
    await this.transitions.deleted(tx, viewer, row, authorizations);
    await m.delete(AuthorizationAttemptRow, { connectionId: row.id });
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
