import type { Connection as ConnectionView } from '@connections/schema';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthorizationAttemptRow, ConnectionRow, ExtensionRow } from '../db/entities';
import { isUniqueViolation } from '../db/sql';
import { newId } from '../db/entities/base';
import { AppError, badInput, forbidden, notFound } from '../errors';
import { canManage, canSee } from './access';
import type { AuditService } from './audit';
import type { AuthorizationEventPayload, EventTx } from './authorization-events';
import type { AuthorizationStore } from './authorization-store';
import type { AuthorizationTransitions } from './authorization-transitions';
import { refuseLoginUserCredentials } from './client-credentials-connect';
import { type ConnectionFilterInput, listConnections } from './connection-list';
import { type ConnectionAccessInput, restrictionFrom, restrictionMembers } from './connection-restriction';
import { type UpdateConnectionInput, updateConnection } from './connection-update';
import { connectionView } from './connection-views';
import { EventVisibility } from './event-visibility';
import type { Invalidator } from './invalidation';
import { deriveLinkName, firstFreeLinkName } from './link-name';
import type { ServiceRegistry } from './service-registry';
import { checkScopes } from './service-validation';
import { withUnfinishedDeadlines } from './unfinished-connections';
import type { Viewer } from './viewer';

export type { ConnectionFilterInput, ConnectionScopeFilter, ConnectionStatusValue } from './connection-list';
export type { ConnectionAccessInput } from './connection-restriction';
export type { UpdateConnectionInput } from './connection-update';
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
  /** Absent: every member may see and use it. */
  access?: ConnectionAccessInput | null;
  /**
   * Domain only (no GraphQL field): createAndConnect's connection, not finished until its first authorization
   * succeeds (unfinished-connections.ts). Everything else is established at creation.
   */
  unfinished?: boolean;
}

export class ConnectionsService {
  private readonly eventVisibility: EventVisibility;

  constructor(
    private readonly ds: DataSource,
    private readonly registry: ServiceRegistry,
    private readonly audit: AuditService,
    private readonly store: AuthorizationStore,
    private readonly transitions: AuthorizationTransitions,
    /** Tells caches and open sockets on every replica that a connection changed. */
    private readonly invalidator?: Invalidator,
  ) {
    this.eventVisibility = new EventVisibility(ds, invalidator);
  }

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
    if (!row || !canSee(viewer, row)) throw notFound('Connection');
    return row;
  }

  /**
   * Whether the viewer may see an authorization event: canSeeEvent on the current row of its connection
   * (looked up only when the rule needs it, through a short cache that connection changes evict).
   */
  canSeeEvent(viewer: Viewer, e: AuthorizationEventPayload): boolean | Promise<boolean> {
    return this.eventVisibility.canSee(viewer, e);
  }

  /** The views of connections, with the viewer's authorization of each and the named members read once. */
  async views(viewer: Viewer, rows: ConnectionRow[]): Promise<ConnectionView[]> {
    const auths = await this.store.forViewer(viewer, rows);
    const members = await restrictionMembers(this.ds, viewer.workspaceId, rows);
    return withUnfinishedDeadlines(
      this.ds.manager,
      rows.map((r) => connectionView(viewer, r, auths.get(r.id), this.registry.view(r.service), members)),
    );
  }

  /**
   * updateConnection: the display name, the scopes and who may use it; the owner and admins only. Caches and
   * sockets on every replica hear about it once it has committed.
   */
  async update(viewer: Viewer, input: UpdateConnectionInput): Promise<ConnectionView> {
    const row = await this.findVisible(viewer, { id: input.id });
    this.assertCanManage(viewer, row);
    await updateConnection({ ds: this.ds, registry: this.registry, audit: this.audit }, viewer, row, input);
    this.invalidator?.invalidate('connection', row.id);
    return this.get(viewer, { id: row.id });
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
    await this.checkPlacement(viewer, input, view, m);
    const linkName = await this.chooseLinkName(viewer.workspaceId, name, input.linkName, m);
    const restrictedTo = input.access
      ? await restrictionFrom(m, viewer.workspaceId, viewer.userId, input.access)
      : null;
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
      restrictedTo,
      establishedAt: input.unfinished ? null : new Date(),
    });
    await m.save(ConnectionRow, created);
    await this.audit.record(
      viewer,
      {
        action: 'connection.created',
        targetType: 'connection',
        targetId: created.id,
        connectionId: created.id,
        extensionId: created.extensionId,
        message: `Created connection "${name}" (${linkName}) to ${view.name}`,
        metadata: {
          linkName,
          service: view.slug,
          useLoginUserCredentials: input.useLoginUserCredentials,
          ...(restrictedTo ? { restrictedTo: restrictedTo.join(',') } : {}),
        },
      },
      m,
    );
    created.service = service;
    return created;
  }

  /**
   * What a new connection hangs on besides its name and scopes: the subdomain its service needs (or not), the
   * credential mode its service allows, and the extension it joins.
   */
  private async checkPlacement(
    viewer: Viewer,
    input: CreateConnectionInput,
    view: ReturnType<ServiceRegistry['view']>,
    m: EntityManager,
  ): Promise<void> {
    if (view.needsSubdomain && !input.subdomain)
      throw badInput(
        'subdomain',
        `${view.name} needs your account's subdomain (the [subdomain] in its URLs)`,
      );
    if (!view.needsSubdomain && input.subdomain) throw badInput('subdomain', `${view.name} has no subdomain`);
    refuseLoginUserCredentials(view, input.useLoginUserCredentials);
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
        extensionId: row.extensionId,
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
