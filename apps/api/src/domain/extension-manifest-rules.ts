import { type DataSource, type EntityManager, Not } from 'typeorm';
import { ExtensionRow } from '../db/entities';
import type { ConnectionDefinition } from '../db/entities/extension';
import { isUniqueViolation } from '../db/sql';
import { AppError } from '../errors';
import type { AuditService } from './audit';
import type { AuthorizationEvents } from './authorization-events';
import type { AuthorizationStore } from './authorization-store';
import { rethrowUniqueViolation } from './connections';
import type { InstallSteps } from './extension-install-steps';
import type { ExtensionManifest } from './extension-manifest';
import type { CheckedService } from './extension-manifest-services';
import type { Invalidator } from './invalidation';

/** What installing and upgrading manifests use; the rules both apply to the extension row. */
export interface ManifestDeps {
  ds: DataSource;
  events: AuthorizationEvents;
  audit: AuditService;
  store: AuthorizationStore;
  invalidator?: Invalidator;
  steps: InstallSteps;
}

/** The definitions stored on the extension: the manifest's connections with this workspace's service slugs. */
export function definitionsOf(
  manifest: ExtensionManifest,
  checked: CheckedService[],
  services: { slug: string }[],
): ConnectionDefinition[] {
  return manifest.connections.map((c, i) => ({
    name: c.name,
    linkName: c.linkName,
    service: services[i]!.slug,
    scopes: checked[i]!.scopes,
    useLoginUserCredentials: c.useLoginUserCredentials,
  }));
}

export async function assertNameFree(m: EntityManager, workspaceId: string, name: string, except?: string) {
  const where = { workspaceId, name, ...(except ? { id: Not(except) } : {}) };
  if (await m.countBy(ExtensionRow, where))
    throw new AppError('CONFLICT', `Another extension of this workspace is named "${name}".`, {
      field: 'manifest.name',
    });
}

export const changedMeanwhile = (name: string) =>
  new AppError('CONFLICT', `Extension "${name}" was installed or upgraded at the same time: try again.`);

/**
 * Whether a unique violation is on an extension's (workspace, column) index: SQLite names it
 * `extension.<column>`, PostgreSQL's detail `Key ("workspaceId", <column>)=...`.
 */
export const onExtensionIndex = (e: unknown, column: 'name' | 'key') =>
  isUniqueViolation(e, `extension.${column}`) || isUniqueViolation(e, `"workspaceId", ${column})`);

/** Unique indexes deciding a race: the extension's name or key, else a link name or a service's slug. */
export function rethrowManifestConflict(e: unknown, manifest: ExtensionManifest): never {
  if (onExtensionIndex(e, 'name'))
    throw new AppError('CONFLICT', `Another extension of this workspace is named "${manifest.name}".`, {
      field: 'manifest.name',
    });
  if (onExtensionIndex(e, 'key')) throw changedMeanwhile(manifest.name);
  return rethrowUniqueViolation(e);
}
