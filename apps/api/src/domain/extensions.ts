import type { ConnectResult, Extension as ExtensionView } from '@connections/schema';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { ConnectionRow, ExtensionRow, UserRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { ConnectionDefinition } from '../db/entities/extension';
import { isUniqueViolation } from '../db/sql';
import { AppError, badInput, notFound } from '../errors';
import type { AuthorizationEvents, EventTx } from './authorization-events';
import type { AuditService } from './audit';
import type { AuthorizationsService } from './authorizations';
import { type ConnectionsService, rethrowUniqueViolation } from './connections';
import { extensionView } from './extension-views';
import {
  checkDefinitions,
  type ConnectionDefinitionInput,
  field,
  rethrowForDefinition,
} from './extension-definitions';
import type { ServiceRegistry } from './service-registry';
import type { Viewer } from './viewer';

export interface CreateExtensionInput {
  name: string;
  description?: string | null;
  connections: ConnectionDefinitionInput[];
}

export interface InstallResult {
  extension: ExtensionView;
  toAuthorize: ConnectResult[];
}

// The extensions query reads every extension's connections in one statement. An install creates at most
// MAX_DEFINITIONS per extension; this bound only guards against a workspace that attached thousands more
// through createConnection's extensionId.
const CONNECTIONS_READ_LIMIT = 5_000;

/**
 * Extensions: named sets of connection definitions. Installing one creates its connections in the workspace
 * in one transaction, owned by the installer, and starts the OAuth flow of each owner-credential connection;
 * uninstalling revokes and deletes them. Callers check that the viewer is an admin (the resolver does).
 */
export class ExtensionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: ServiceRegistry,
    private readonly connections: ConnectionsService,
    private readonly authorizations: AuthorizationsService,
    private readonly events: AuthorizationEvents,
    private readonly audit: AuditService,
  ) {}

  async list(viewer: Viewer): Promise<ExtensionView[]> {
    const rows = await this.ds.getRepository(ExtensionRow).find({
      where: { workspaceId: viewer.workspaceId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return this.views(viewer, rows);
  }

  async get(viewer: Viewer, id: string): Promise<ExtensionView> {
    return (await this.views(viewer, [await this.find(viewer, id)]))[0]!;
  }

  /** An extension of the viewer's workspace, or NOT_FOUND: another workspace's extensions do not exist here. */
  private async find(viewer: Viewer, id: string): Promise<ExtensionRow> {
    const row = await this.ds.getRepository(ExtensionRow).findOneBy({ id, workspaceId: viewer.workspaceId });
    if (!row) throw notFound('Extension');
    return row;
  }

  async create(viewer: Viewer, input: CreateExtensionInput): Promise<ExtensionView> {
    const name = input.name.trim();
    if (!name || name.length > 80) throw badInput('name', 'must be 1 to 80 characters');
    const description = input.description?.trim() || null;
    if (description && description.length > 500)
      throw badInput('description', 'must be at most 500 characters');
    const definitions = await checkDefinitions(this.registry, viewer, input.connections);
    const id = await this.ds
      .transaction(async (m) => {
        if (await m.countBy(ExtensionRow, { workspaceId: viewer.workspaceId, name })) throw nameTaken(name);
        const row = m.create(ExtensionRow, {
          id: newId(),
          workspaceId: viewer.workspaceId,
          name,
          description,
          connectionDefinitions: definitions,
          createdById: viewer.userId,
        });
        await m.save(ExtensionRow, row);
        await this.audit.record(
          viewer,
          {
            action: 'extension.created',
            targetType: 'extension',
            targetId: row.id,
            message: `Created extension "${name}" with ${definitions.length} connection(s)`,
            metadata: { linkNames: definitions.map((d) => d.linkName).join(',') },
          },
          m,
        );
        return row.id;
      })
      .catch((e: unknown) => {
        // Two creates with the same name racing: the unique index decides.
        if (isUniqueViolation(e)) throw nameTaken(name);
        throw e;
      });
    return this.get(viewer, id);
  }

  /**
   * Creates the extension's connections in one transaction, owned by the installer, and starts an OAuth
   * attempt for each owner-credential OAuth connection. Refused (CONFLICT) when already installed or when a
   * link name is taken; then nothing is created.
   */
  async install(viewer: Viewer, id: string): Promise<InstallResult> {
    const ext = await this.find(viewer, id);
    if (ext.installedAt) throw alreadyInstalled(ext.name);
    const created: string[] = [];
    const started = new Map<string, { attemptId: string; authorizeUrl: string | null }>();
    let tx: EventTx | undefined;
    await this.ds
      .transaction(async (m) => {
        const events = (tx = this.events.begin(m));
        // Compare-and-set first: of two installs racing, the second waits on this row and then finds it taken.
        const claimed = await m
          .createQueryBuilder()
          .update(ExtensionRow)
          .set({ installedById: viewer.userId, installedAt: new Date() })
          .where('id = :id AND "installedAt" IS NULL', { id: ext.id })
          .execute();
        if (claimed.affected !== 1) throw alreadyInstalled(ext.name);
        const defs = ext.connectionDefinitions;
        await this.assertLinkNamesFree(viewer, defs, m);
        for (const [i, d] of defs.entries()) {
          const row = await this.connections
            .createInTransaction(viewer, { ...d, extensionId: ext.id }, m)
            .catch((e: unknown) => rethrowForDefinition(i, e));
          created.push(row.id);
          if (d.useLoginUserCredentials) continue;
          const { authType } = this.registry.definitionOf(row.service!);
          // BASIC / API_KEY need credentials that an install cannot carry: the owner calls connect later.
          if (authType !== 'OAUTH2' && authType !== 'OAUTH1') continue;
          const s = await this.authorizations
            .beginInTransaction(viewer, row, null, events)
            .catch((e: unknown) => rethrowForDefinition(i, e));
          started.set(row.id, s);
        }
        await this.audit.record(
          viewer,
          {
            action: 'extension.installed',
            targetType: 'extension',
            targetId: ext.id,
            message: `Installed extension "${ext.name}": ${defs.length} connection(s), ${started.size} to authorize in the browser`,
            metadata: { connections: defs.length, oauthToAuthorize: started.size },
          },
          m,
        );
        await this.events.seal(events);
      })
      .catch(rethrowUniqueViolation);
    this.events.publish(tx!);
    const extension = await this.get(viewer, ext.id);
    const toAuthorize = extension.connections
      .filter((c) => created.includes(c.id) && !c.useLoginUserCredentials)
      .map((c) => ({
        connection: c,
        authorization: c.authorization,
        authorizeUrl: started.get(c.id)?.authorizeUrl ?? null,
        attemptId: started.get(c.id)?.attemptId ?? null,
      }));
    return { extension, toAuthorize };
  }

  private async assertLinkNamesFree(viewer: Viewer, defs: ConnectionDefinition[], m: EntityManager) {
    const taken = await m.find(ConnectionRow, {
      where: { workspaceId: viewer.workspaceId, linkName: In(defs.map((d) => d.linkName)) },
      select: { linkName: true },
    });
    if (taken.length === 0) return;
    const names = new Set(taken.map((c) => c.linkName));
    const first = defs.findIndex((d) => names.has(d.linkName));
    throw new AppError(
      'CONFLICT',
      `The link name(s) ${[...names].join(', ')} are already used in this workspace: rename or delete those ` +
        'connections, then install again. Nothing was installed.',
      { field: field(first, 'linkName'), linkNames: [...names] },
    );
  }

  /**
   * Revokes every authorization of the extension's connections at the provider (best effort, before the
   * transaction: a slow provider must not hold it open), then deletes them with a DELETED event each and
   * clears the installed state, in one transaction.
   */
  async uninstall(viewer: Viewer, id: string): Promise<ExtensionView> {
    const ext = await this.find(viewer, id);
    if (!ext.installedAt) throw new AppError('CONFLICT', `Extension "${ext.name}" is not installed.`);
    const before = await this.connectionsOf(ext, this.ds.manager);
    const counts = new Map<string, number>();
    let revokedUpstream = 0;
    for (const row of before) {
      const r = await this.authorizations.revokeAllUpstream(row);
      counts.set(row.id, r.authorizations);
      revokedUpstream += r.revokedUpstream;
    }
    await this.events.transaction(this.ds, async (tx) => {
      const m = tx.manager;
      const released = await m
        .createQueryBuilder()
        .update(ExtensionRow)
        .set({ installedById: null, installedAt: null })
        .where('id = :id AND "installedAt" IS NOT NULL', { id: ext.id })
        .execute();
      if (released.affected !== 1)
        throw new AppError('CONFLICT', `Extension "${ext.name}" was uninstalled at the same time.`);
      // Read again inside the transaction: a connection attached meanwhile goes too (it had no upstream revoke).
      const rows = await this.connectionsOf(ext, m);
      for (const row of rows)
        await this.connections.deleteInTransaction(viewer, row, tx, counts.get(row.id) ?? 0);
      await this.audit.record(
        viewer,
        {
          action: 'extension.uninstalled',
          targetType: 'extension',
          targetId: ext.id,
          message: `Uninstalled extension "${ext.name}": deleted ${rows.length} connection(s)`,
          metadata: { connections: rows.length, revokedUpstream },
        },
        m,
      );
    });
    return this.get(viewer, ext.id);
  }

  private connectionsOf(ext: ExtensionRow, m: EntityManager): Promise<ConnectionRow[]> {
    return m.find(ConnectionRow, {
      where: { workspaceId: ext.workspaceId, extensionId: ext.id },
      relations: { service: true },
    });
  }

  /** Views with the connections the viewer may see and the installers, in a fixed number of queries. */
  private async views(viewer: Viewer, rows: ExtensionRow[]): Promise<ExtensionView[]> {
    if (rows.length === 0) return [];
    const { nodes } = await this.connections.list(
      viewer,
      { scope: 'ALL', extensionIds: rows.map((r) => r.id) },
      { offset: 0, limit: CONNECTIONS_READ_LIMIT },
    );
    const installerIds = [...new Set(rows.flatMap((r) => (r.installedById ? [r.installedById] : [])))];
    const installers = new Map(
      installerIds.length
        ? (await this.ds.getRepository(UserRow).findBy({ id: In(installerIds) })).map((u) => [u.id, u])
        : [],
    );
    return rows.map((r) =>
      extensionView(r, r.installedById ? installers.get(r.installedById) : undefined, nodes),
    );
  }
}

const nameTaken = (name: string) =>
  new AppError('CONFLICT', `An extension named "${name}" already exists in this workspace.`, {
    field: 'name',
  });

const alreadyInstalled = (name: string) =>
  new AppError('CONFLICT', `Extension "${name}" is already installed: uninstall it first.`);
