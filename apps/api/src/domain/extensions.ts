import type { ConnectResult, Extension as ExtensionView, Service as ServiceView } from '@connections/schema';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { ConnectionRow, ExtensionRow, UserRow } from '../db/entities';
import { newId } from '../db/entities/base';
import { AppError, notFound } from '../errors';
import type { AuthorizationEvents } from './authorization-events';
import type { AuditService } from './audit';
import type { AuthorizationStore } from './authorization-store';
import type { AuthorizationsService } from './authorizations';
import { type ConnectionsService, rethrowUniqueViolation } from './connections';
import { extensionView } from './extension-views';
import {
  checkDefinitions,
  checkHeader,
  type ConnectionDefinitionInput,
  field,
  rethrowForDefinition,
} from './extension-definitions';
import {
  assertLinkNamesFree,
  connectionsOf,
  createDefined,
  type InstallSteps,
  servicesToConfigure,
  type Started,
  startAuthorization,
  toAuthorizeOf,
} from './extension-install-steps';
import { ExtensionManifests } from './extension-manifest-install';
import { onExtensionIndex } from './extension-manifest-rules';
import type { Invalidator } from './invalidation';
import type { ServiceRegistry } from './service-registry';
import type { Viewer } from './viewer';

export interface CreateExtensionInput {
  name: string;
  key?: string | null;
  version?: string | null;
  description?: string | null;
  connections: ConnectionDefinitionInput[];
}

export interface InstallResult {
  extension: ExtensionView;
  toAuthorize: ConnectResult[];
  /** Set when a manifest upgraded an installed extension. */
  previousVersion: string | null;
  servicesToConfigure: ServiceView[];
}

// The extensions query reads every extension's connections in one statement. An install creates at most
// MAX_DEFINITIONS per extension; this bound only guards against a workspace that attached thousands more
// through createConnection's extensionId.
const CONNECTIONS_READ_LIMIT = 5_000;

/**
 * Extensions: named sets of connection definitions. Installing one creates its connections in the workspace
 * in one transaction, owned by the installer, and starts the OAuth flow of each owner-credential connection;
 * uninstalling revokes and deletes them. As documents (manifests: export, install anywhere, upgrade) they go
 * through ExtensionManifests. Callers check that the viewer is an admin (the resolver does).
 */
export class ExtensionsService {
  private readonly steps: InstallSteps;
  private readonly manifests: ExtensionManifests;

  constructor(
    private readonly ds: DataSource,
    registry: ServiceRegistry,
    connections: ConnectionsService,
    private readonly authorizations: AuthorizationsService,
    private readonly events: AuthorizationEvents,
    private readonly audit: AuditService,
    /**
     * The authorizations an upgrade removes (read before it, revoked at the provider after it commits), and
     * the caches on every replica told about connections an upgrade or uninstall changed or deleted.
     */
    private readonly more: { store: AuthorizationStore; invalidator?: Invalidator },
  ) {
    this.steps = { registry, connections, authorizations };
    this.manifests = new ExtensionManifests({ ds, events, audit, ...more, steps: this.steps }, (viewer, id) =>
      this.get(viewer, id),
    );
  }

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

  /** The extension as a manifest document (extension-manifest.ts): no secret, installable anywhere. */
  async export(viewer: Viewer, id: string): Promise<Record<string, unknown>> {
    return this.manifests.export(viewer, await this.find(viewer, id));
  }

  /** Installs a manifest in the viewer's workspace, or upgrades the installed extension with its key. */
  installManifest(viewer: Viewer, manifest: unknown): Promise<InstallResult> {
    return this.manifests.install(viewer, manifest);
  }

  async create(viewer: Viewer, input: CreateExtensionInput): Promise<ExtensionView> {
    const header = checkHeader(input);
    const { name, key } = header;
    const definitions = await checkDefinitions(this.steps.registry, viewer, input.connections);
    const id = await this.ds
      .transaction(async (m) => {
        if (await m.countBy(ExtensionRow, { workspaceId: viewer.workspaceId, name })) throw nameTaken(name);
        if (await m.countBy(ExtensionRow, { workspaceId: viewer.workspaceId, key })) throw keyTaken(key);
        const row = m.create(ExtensionRow, {
          id: newId(),
          workspaceId: viewer.workspaceId,
          ...header,
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
            extensionId: row.id,
            message: `Created extension "${name}" ${header.version} with ${definitions.length} connection(s)`,
            metadata: {
              key,
              version: header.version,
              linkNames: definitions.map((d) => d.linkName).join(','),
            },
          },
          m,
        );
        return row.id;
      })
      .catch((e: unknown) => {
        // Two creates with the same name or key racing: the unique indexes decide.
        if (onExtensionIndex(e, 'name')) throw nameTaken(name);
        if (onExtensionIndex(e, 'key')) throw keyTaken(key);
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
    const created: ConnectionRow[] = [];
    const started = new Map<string, Started>();
    await this.events
      .transaction(this.ds, async (events) => {
        const m = events.manager;
        await claimInstall(m, viewer, ext);
        const defs = ext.connectionDefinitions;
        const linkNames = defs.map((d) => d.linkName);
        await assertLinkNamesFree(m, viewer.workspaceId, linkNames, (i) => field(i, 'linkName'));
        for (const [i, d] of defs.entries()) {
          const at = (e: unknown) => rethrowForDefinition(i, e);
          const row = await createDefined(this.steps, viewer, ext.id, d, m).catch(at);
          created.push(row);
          const s = await startAuthorization(this.steps, viewer, row, events, 'fail').catch(at);
          if (s) started.set(row.id, s);
        }
        const metadata = { key: ext.key, version: ext.version, connections: defs.length };
        await this.audit.record(
          viewer,
          {
            action: 'extension.installed',
            targetType: 'extension',
            targetId: ext.id,
            extensionId: ext.id,
            message: `Installed extension "${ext.name}" ${ext.version}: ${defs.length} connection(s), ${started.size} to authorize in the browser`,
            metadata: { ...metadata, oauthToAuthorize: started.size },
          },
          m,
        );
      })
      .catch(rethrowUniqueViolation);
    const extension = await this.get(viewer, ext.id);
    const ownerCredentials = created.filter((c) => !c.useLoginUserCredentials).map((c) => c.id);
    return {
      extension,
      toAuthorize: toAuthorizeOf(extension, ownerCredentials, started),
      previousVersion: null,
      servicesToConfigure: await servicesToConfigure(this.steps, viewer.workspaceId, created),
    };
  }

  /**
   * Revokes every authorization of the extension's connections at the provider (best effort, before the
   * transaction: a slow provider must not hold it open), then deletes them with a DELETED event each and
   * clears the installed state, in one transaction.
   */
  async uninstall(viewer: Viewer, id: string): Promise<ExtensionView> {
    const ext = await this.find(viewer, id);
    if (!ext.installedAt) throw new AppError('CONFLICT', `Extension "${ext.name}" is not installed.`);
    const before = await connectionsOf(ext, this.ds.manager);
    const counts = new Map<string, number>();
    let revokedUpstream = 0;
    for (const row of before) {
      const r = await this.authorizations.revokeAllUpstream(row);
      counts.set(row.id, r.authorizations);
      revokedUpstream += r.revokedUpstream;
    }
    const deleted = await this.events.transaction(this.ds, async (tx) => {
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
      const rows = await connectionsOf(ext, m);
      for (const row of rows)
        await this.steps.connections.deleteInTransaction(viewer, row, tx, counts.get(row.id) ?? 0);
      await this.audit.record(
        viewer,
        {
          action: 'extension.uninstalled',
          targetType: 'extension',
          targetId: ext.id,
          extensionId: ext.id,
          message: `Uninstalled extension "${ext.name}": deleted ${rows.length} connection(s)`,
          metadata: { connections: rows.length, revokedUpstream },
        },
        m,
      );
      return rows;
    });
    for (const row of deleted) this.more.invalidator?.invalidate('connection', row.id);
    return this.get(viewer, ext.id);
  }

  /** Views with the connections the viewer may see and the installers, in a fixed number of queries. */
  private async views(viewer: Viewer, rows: ExtensionRow[]): Promise<ExtensionView[]> {
    if (rows.length === 0) return [];
    const { nodes } = await this.steps.connections.list(
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

/** Compare-and-set, first in the install: of two installs racing, the second waits on the row, then finds it taken. */
async function claimInstall(m: EntityManager, viewer: Viewer, ext: ExtensionRow): Promise<void> {
  const claimed = await m
    .createQueryBuilder()
    .update(ExtensionRow)
    .set({ installedById: viewer.userId, installedAt: new Date() })
    .where('id = :id AND "installedAt" IS NULL', { id: ext.id })
    .execute();
  if (claimed.affected !== 1) throw alreadyInstalled(ext.name);
}

const nameTaken = (name: string) =>
  new AppError('CONFLICT', `An extension named "${name}" already exists in this workspace.`, {
    field: 'name',
  });

const keyTaken = (key: string) =>
  new AppError('CONFLICT', `An extension with the key "${key}" already exists in this workspace.`, {
    field: 'key',
  });

const alreadyInstalled = (name: string) =>
  new AppError('CONFLICT', `Extension "${name}" is already installed: uninstall it first.`);
