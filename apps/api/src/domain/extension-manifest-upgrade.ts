import { ConnectionRow, ExtensionRow, type AuthorizationRow, type ServiceRow } from '../db/entities';
import type { ConnectionDefinition } from '../db/entities/extension';
import type { EventTx } from './authorization-events';
import {
  assertLinkNamesFree,
  connectionsOf,
  createDefined,
  type Started,
  startAuthorization,
} from './extension-install-steps';
import type { ExtensionManifest } from './extension-manifest';
import { rethrowInManifest } from './extension-manifest';
import {
  assertNameFree,
  changedMeanwhile,
  definitionsOf,
  type ManifestDeps,
  rethrowManifestConflict,
} from './extension-manifest-rules';
import type { CheckedService, ExtensionManifestServices } from './extension-manifest-services';
import type { Viewer } from './viewer';

export interface Upgraded {
  /** The extension's connections after the upgrade, with their services. */
  current: ConnectionRow[];
  /** Owner-credential connections the upgrader is asked to authorize: new, replaced, or given new scopes. */
  toAuthorize: string[];
  started: Map<string, Started>;
}

/** What an upgrade does to one connection, decided by its link name (the connection's identity). */
interface Plan {
  created: ConnectionRow[];
  /** Deleted: definitions the new version drops, and connections replaced by a new service or mode. */
  removed: ConnectionRow[];
  updated: string[];
  toAuthorize: string[];
  started: Map<string, Started>;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((s) => b.includes(s));

/**
 * Upgrades an installed extension to a newer manifest in one transaction, matching connections by link name:
 * - a new definition: its connection is created, owned by the upgrading admin, and authorized like an install;
 * - a definition the new version drops: its connection is deleted (DELETED events) and its authorizations are
 *   revoked at the provider, best effort, once the upgrade has committed (so a failed upgrade revokes nothing);
 * - another service or credential mode: the connection is replaced (deleted as above, then created again with
 *   the same link name): credentials issued for another service, or for another principal, cannot carry over;
 * - a new name or scopes: updated in place, authorizations kept. Added scopes are asked for: the
 *   upgrader gets an authorizeUrl for an owner-credential OAuth connection, and every user sees the gap
 *   (missingScopes) until they reconnect; the old grant keeps working meanwhile. Scopes only removed ask for
 *   nothing.
 * Connections whose service and scopes did not change keep their authorizations untouched.
 */
export async function upgradeExtension(
  d: ManifestDeps,
  services: ExtensionManifestServices,
  viewer: Viewer,
  ext: ExtensionRow,
  manifest: ExtensionManifest,
  checked: CheckedService[],
): Promise<Upgraded> {
  // Read before the transaction: the provider is told only after it commits, with what these rows held.
  const before = await connectionsOf(ext, d.ds.manager);
  const held = new Map<string, AuthorizationRow[]>();
  for (const row of before) held.set(row.id, await d.store.allOf(row.id));
  const plan = await d.events
    .transaction(d.ds, async (tx) => {
      const serviceRows = await services.resolve(viewer, checked, tx.manager);
      const defs = definitionsOf(manifest, checked, serviceRows);
      await writeHeader(tx, viewer, ext, manifest, defs);
      const p = await applyDefinitions(d, viewer, tx, { ext, before, held, defs, serviceRows });
      await d.audit.record(
        viewer,
        {
          action: 'extension.upgraded',
          targetType: 'extension',
          targetId: ext.id,
          extensionId: ext.id,
          message: `Upgraded extension "${manifest.name}" from ${ext.version} to ${manifest.version}: ${p.created.length} connection(s) created, ${p.updated.length} updated, ${p.removed.length} deleted`,
          metadata: {
            key: ext.key,
            from: ext.version,
            to: manifest.version,
            created: p.created.length,
            updated: p.updated.length,
            removed: p.removed.length,
            toAuthorize: p.toAuthorize.length,
          },
        },
        tx.manager,
      );
      return p;
    })
    .catch((e: unknown) => rethrowManifestConflict(e, manifest));
  for (const row of plan.removed)
    for (const auth of held.get(row.id) ?? [])
      await d.steps.authorizations.revokeUpstream(row, auth).catch(() => 'UPSTREAM_FAILED');
  for (const id of [...plan.updated, ...plan.removed.map((r) => r.id)])
    d.invalidator?.invalidate('connection', id);
  const removed = new Set(plan.removed.map((r) => r.id));
  return {
    current: [...before.filter((r) => !removed.has(r.id)), ...plan.created],
    toAuthorize: plan.toAuthorize,
    started: plan.started,
  };
}

/** The new version's header and definitions, as a compare-and-set on the version the upgrade started from. */
async function writeHeader(
  tx: EventTx,
  viewer: Viewer,
  ext: ExtensionRow,
  manifest: ExtensionManifest,
  connectionDefinitions: ConnectionDefinition[],
): Promise<void> {
  await assertNameFree(tx.manager, viewer.workspaceId, manifest.name, ext.id);
  const { affected } = await tx.manager
    .createQueryBuilder()
    .update(ExtensionRow)
    .set({
      name: manifest.name,
      description: manifest.description,
      version: manifest.version,
      connectionDefinitions,
    })
    .where('id = :id AND "installedAt" IS NOT NULL AND "version" = :version', ext)
    .execute();
  if (affected !== 1) throw changedMeanwhile(ext.name);
}

async function applyDefinitions(
  d: ManifestDeps,
  viewer: Viewer,
  tx: EventTx,
  s: {
    ext: ExtensionRow;
    before: ConnectionRow[];
    held: Map<string, AuthorizationRow[]>;
    defs: ConnectionDefinition[];
    serviceRows: ServiceRow[];
  },
): Promise<Plan> {
  const m = tx.manager;
  const p: Plan = { created: [], removed: [], updated: [], toAuthorize: [], started: new Map() };
  const byLink = new Map(s.before.map((r) => [r.linkName, r]));
  const linkNames = s.defs.map((def) => def.linkName);
  const ours = s.before.map((r) => r.id);
  await assertLinkNamesFree(
    m,
    viewer.workspaceId,
    linkNames,
    (i) => `manifest.connections.${i}.linkName`,
    ours,
  );
  const remove = async (row: ConnectionRow) => {
    await d.steps.connections.deleteInTransaction(viewer, row, tx, s.held.get(row.id)?.length ?? 0);
    p.removed.push(row);
  };
  // Dropped definitions first, so that their DELETED events come before what replaces them.
  const kept = new Set(linkNames);
  for (const name of new Set(s.ext.connectionDefinitions.map((def) => def.linkName)))
    if (!kept.has(name) && byLink.has(name)) await remove(byLink.get(name)!);
  for (const [i, def] of s.defs.entries()) {
    const at = (e: unknown) => rethrowInManifest(`connections.${i}`, e);
    const row = byLink.get(def.linkName);
    const replace =
      row &&
      (row.serviceId !== s.serviceRows[i]!.id || row.useLoginUserCredentials !== def.useLoginUserCredentials);
    if (row && !replace) {
      await updateInPlace(d, viewer, tx, row, def, p).catch(at);
      continue;
    }
    if (row) await remove(row);
    const created = await createDefined(d.steps, viewer, s.ext.id, def, m).catch(at);
    p.created.push(created);
    if (created.useLoginUserCredentials) continue;
    p.toAuthorize.push(created.id);
    const started = await startAuthorization(d.steps, viewer, created, tx, 'skip').catch(at);
    if (started) p.started.set(created.id, started);
  }
  return p;
}

/** A kept connection: its display name and scopes follow the definition; its authorizations stay. */
async function updateInPlace(
  d: ManifestDeps,
  viewer: Viewer,
  tx: EventTx,
  row: ConnectionRow,
  def: ConnectionDefinition,
  p: Plan,
): Promise<void> {
  const fields: string[] = [];
  if (row.name !== def.name) fields.push('name');
  if (!sameSet(row.scopes, def.scopes)) fields.push('scopes');
  if (!fields.length) return;
  const added = def.scopes.filter((scope) => !row.scopes.includes(scope));
  await tx.manager.update(ConnectionRow, { id: row.id }, { name: def.name, scopes: def.scopes });
  await d.audit.record(
    viewer,
    {
      action: 'connection.updated',
      targetType: 'connection',
      targetId: row.id,
      connectionId: row.id,
      extensionId: row.extensionId,
      message: `Extension upgrade updated ${fields.join(' and ')} of ${row.linkName}${added.length ? `: scopes added ${added.join(', ')}` : ''}`,
      metadata: { linkName: row.linkName, fields: fields.join(',') },
    },
    tx.manager,
  );
  p.updated.push(row.id);
  Object.assign(row, { name: def.name, scopes: def.scopes });
  if (!added.length || row.useLoginUserCredentials) return;
  p.toAuthorize.push(row.id);
  const started = await startAuthorization(d.steps, viewer, row, tx, 'skip');
  if (started) p.started.set(row.id, started);
}
