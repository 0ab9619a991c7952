import type { Extension as ExtensionView } from '@connections/schema';
import type { EntityManager } from 'typeorm';
import { type ConnectionRow, ExtensionRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { ConnectionDefinition } from '../db/entities/extension';
import { AppError } from '../errors';
import {
  assertLinkNamesFree,
  createDefined,
  servicesToConfigure,
  type Started,
  startAuthorization,
  toAuthorizeOf,
} from './extension-install-steps';
import {
  type ExtensionManifest,
  MANIFEST_FORMAT,
  MANIFEST_FORMAT_VERSION,
  type ManifestConnection,
  parseManifest,
  rethrowInManifest,
} from './extension-manifest';
import {
  assertNameFree,
  changedMeanwhile,
  definitionsOf,
  type ManifestDeps,
  rethrowManifestConflict,
} from './extension-manifest-rules';
import { compareSemver } from './extension-manifest-semver';
import { type CheckedService, ExtensionManifestServices } from './extension-manifest-services';
import { upgradeExtension } from './extension-manifest-upgrade';
import type { InstallResult } from './extensions';
import type { Viewer } from './viewer';

/**
 * Extensions as documents: `export` writes an extension's manifest; `install` reads one into the viewer's
 * workspace (any workspace, on this deployment or another) as a new extension, over an uninstalled one with
 * the same key, or as an upgrade of the installed one (extension-manifest-upgrade.ts). Each is one
 * transaction: a failure leaves the workspace as it was.
 */
export class ExtensionManifests {
  private readonly services: ExtensionManifestServices;

  constructor(
    private readonly d: ManifestDeps,
    private readonly view: (viewer: Viewer, id: string) => Promise<ExtensionView>,
  ) {
    this.services = new ExtensionManifestServices(d.steps.registry);
  }

  async export(viewer: Viewer, ext: ExtensionRow): Promise<Record<string, unknown>> {
    const m = this.d.ds.manager;
    const connections: ManifestConnection[] = [];
    for (const [i, def] of ext.connectionDefinitions.entries())
      connections.push({
        name: def.name,
        linkName: def.linkName,
        scopes: def.scopes,
        useLoginUserCredentials: def.useLoginUserCredentials,
        service: await this.services.refOf(viewer.workspaceId, def.service, m, `connections[${i}].service`),
      });
    const manifest: ExtensionManifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_FORMAT_VERSION,
      key: ext.key,
      name: ext.name,
      version: ext.version,
      description: ext.description ?? null,
      connections,
    };
    await this.d.audit.record(viewer, {
      action: 'extension.exported',
      targetType: 'extension',
      targetId: ext.id,
      extensionId: ext.id,
      message: `Exported extension "${ext.name}" ${ext.version}`,
      metadata: { key: ext.key, version: ext.version },
    });
    return manifest as unknown as Record<string, unknown>;
  }

  async install(viewer: Viewer, raw: unknown): Promise<InstallResult> {
    const manifest = parseManifest(raw);
    const checked = await this.services.check(viewer, manifest);
    const existing = await this.d.ds
      .getRepository(ExtensionRow)
      .findOneBy({ workspaceId: viewer.workspaceId, key: manifest.key });
    if (existing) assertNewer(existing, manifest);
    if (existing?.installedAt) {
      const upgraded = await upgradeExtension(this.d, this.services, viewer, existing, manifest, checked);
      const extension = await this.view(viewer, existing.id);
      return {
        extension,
        toAuthorize: toAuthorizeOf(extension, upgraded.toAuthorize, upgraded.started),
        previousVersion: existing.version,
        servicesToConfigure: await servicesToConfigure(this.d.steps, viewer.workspaceId, upgraded.current),
      };
    }
    const { id, created, started } = await this.installFresh(viewer, existing, manifest, checked);
    const extension = await this.view(viewer, id);
    const ownerCredentials = created.filter((c) => !c.useLoginUserCredentials).map((c) => c.id);
    return {
      extension,
      toAuthorize: toAuthorizeOf(extension, ownerCredentials, started),
      previousVersion: null,
      servicesToConfigure: await servicesToConfigure(this.d.steps, viewer.workspaceId, created),
    };
  }

  /**
   * A new extension, or the manifest's definition over an uninstalled one with its key; then its connections,
   * owned by the installer, as installExtension(extensionId) creates them. An OAuth service without its client
   * (a custom service the manifest brought, a catalog service not configured here) starts no flow: its
   * connections wait for an admin to set the client (servicesToConfigure), then for connect.
   */
  private async installFresh(
    viewer: Viewer,
    existing: ExtensionRow | null,
    manifest: ExtensionManifest,
    checked: CheckedService[],
  ) {
    const created: ConnectionRow[] = [];
    const started = new Map<string, Started>();
    const id = await this.d.events
      .transaction(this.d.ds, async (tx) => {
        const m = tx.manager;
        const services = await this.services.resolve(viewer, checked, m);
        const defs = definitionsOf(manifest, checked, services);
        const extId = await this.claim(viewer, existing, manifest, defs, m);
        const linkNames = defs.map((def) => def.linkName);
        await assertLinkNamesFree(
          m,
          viewer.workspaceId,
          linkNames,
          (i) => `manifest.connections.${i}.linkName`,
        );
        for (const [i, def] of defs.entries()) {
          const at = (e: unknown) => rethrowInManifest(`connections.${i}`, e);
          const row = await createDefined(this.d.steps, viewer, extId, def, m).catch(at);
          created.push(row);
          const s = await startAuthorization(this.d.steps, viewer, row, tx, 'skip').catch(at);
          if (s) started.set(row.id, s);
        }
        await this.d.audit.record(
          viewer,
          {
            action: 'extension.installed',
            targetType: 'extension',
            targetId: extId,
            extensionId: extId,
            message: `Installed extension "${manifest.name}" ${manifest.version} from a manifest: ${defs.length} connection(s), ${started.size} to authorize in the browser`,
            metadata: {
              key: manifest.key,
              version: manifest.version,
              connections: defs.length,
              manifest: true,
            },
          },
          m,
        );
        return extId;
      })
      .catch((e: unknown) => rethrowManifestConflict(e, manifest));
    return { id, created, started };
  }

  /** Inserts the extension, or writes the manifest over the uninstalled one (compare-and-set on its version). */
  private async claim(
    viewer: Viewer,
    existing: ExtensionRow | null,
    manifest: ExtensionManifest,
    connectionDefinitions: ConnectionDefinition[],
    m: EntityManager,
  ): Promise<string> {
    await assertNameFree(m, viewer.workspaceId, manifest.name, existing?.id);
    const fields = {
      name: manifest.name,
      description: manifest.description,
      version: manifest.version,
      connectionDefinitions,
      installedById: viewer.userId,
      installedAt: new Date(),
    };
    if (!existing) {
      const row = m.create(ExtensionRow, {
        id: newId(),
        workspaceId: viewer.workspaceId,
        key: manifest.key,
        createdById: viewer.userId,
        ...fields,
      });
      await m.save(ExtensionRow, row);
      return row.id;
    }
    const { affected } = await m
      .createQueryBuilder()
      .update(ExtensionRow)
      .set(fields)
      .where('id = :id AND "installedAt" IS NULL AND "version" = :version', existing)
      .execute();
    if (affected !== 1) throw changedMeanwhile(existing.name);
    return existing.id;
  }
}

/**
 * An installed extension upgrades only to a newer version; an uninstalled one takes the same version again
 * (a reinstall) or a newer one. Anything else would silently replace a definition with an older one.
 */
function assertNewer(existing: ExtensionRow, manifest: ExtensionManifest): void {
  const order = compareSemver(manifest.version, existing.version);
  if (order > 0 || (order === 0 && !existing.installedAt)) return;
  const state = existing.installedAt ? 'installed' : 'defined';
  throw new AppError(
    'CONFLICT',
    `Extension "${existing.name}" (${existing.key}) ${existing.version} is ${state} in this workspace; the ` +
      `manifest has version ${manifest.version}. Only a newer version ${existing.installedAt ? 'upgrades it' : 'replaces it'}: raise "version" in the manifest.`,
    { field: 'manifest.version', installedVersion: existing.version },
  );
}
