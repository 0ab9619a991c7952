import type { ConnectResult, Extension as ExtensionView, Service as ServiceView } from '@connections/schema';
import { type EntityManager, In, Not } from 'typeorm';
import { ConnectionRow, type ExtensionRow, type ServiceRow } from '../db/entities';
import type { ConnectionDefinition } from '../db/entities/extension';
import { AppError } from '../errors';
import type { EventTx } from './authorization-events';
import type { AuthorizationsService } from './authorizations';
import type { ConnectionsService } from './connections';
import type { ServiceRegistry } from './service-registry';
import type { Viewer } from './viewer';

/** What installing an extension's connections calls: the steps shared by install, manifest install and upgrade. */
export interface InstallSteps {
  registry: ServiceRegistry;
  connections: ConnectionsService;
  authorizations: AuthorizationsService;
}

export interface Started {
  attemptId: string | null;
  authorizeUrl: string | null;
}

/**
 * Creates a definition's connection in the caller's transaction, attached to the extension and owned by the
 * viewer (the installer). It is established at once: an install is not a createAndConnect that may never
 * finish, and the seed lists installed connections for everyone straight away.
 */
export function createDefined(
  steps: InstallSteps,
  viewer: Viewer,
  extensionId: string,
  def: ConnectionDefinition,
  m: EntityManager,
): Promise<ConnectionRow> {
  return steps.connections.createInTransaction(viewer, { ...def, extensionId }, m);
}

/** The extension's connections in its workspace, with their services. */
export function connectionsOf(ext: ExtensionRow, m: EntityManager): Promise<ConnectionRow[]> {
  return m.find(ConnectionRow, {
    where: { workspaceId: ext.workspaceId, extensionId: ext.id },
    relations: { service: true },
  });
}

const isOAuth = (authType: string) => authType === 'OAUTH2' || authType === 'OAUTH1';

/**
 * Starts the browser flow of an owner-credential OAuth connection in the caller's transaction: the installer
 * is asked to authorize it (toAuthorize). Nothing starts for a login-user connection (each user connects on
 * first use) nor for BASIC / API_KEY (an install carries no credentials: the owner calls connect with them).
 * A service without its OAuth client: `fail` refuses (an extension defined here names services that were
 * configured), `skip` leaves the flow for later (a manifest's custom services arrive without a secret).
 */
export async function startAuthorization(
  steps: InstallSteps,
  viewer: Viewer,
  row: ConnectionRow,
  tx: EventTx,
  withoutClient: 'fail' | 'skip',
): Promise<Started | null> {
  if (row.useLoginUserCredentials) return null;
  const { definition, client } = steps.registry.protocolFor(row);
  if (!isOAuth(definition.authType)) return null;
  if (!client && withoutClient === 'skip') return null;
  return steps.authorizations.beginInTransaction(viewer, row, null, tx);
}

/** OAuth services of these connections whose client is not complete in this workspace yet, once each. */
export async function servicesToConfigure(
  steps: InstallSteps,
  workspaceId: string,
  rows: ConnectionRow[],
): Promise<ServiceView[]> {
  const missing = new Map<string, ServiceRow>();
  for (const row of rows) {
    const { definition, client } = steps.registry.protocolFor(row);
    if (isOAuth(definition.authType) && !client) missing.set(row.serviceId, row.service!);
  }
  const out: ServiceView[] = [];
  for (const s of missing.values())
    out.push(await steps.registry.find(workspaceId, s.kind === 'CUSTOM' ? { id: s.id } : { slug: s.slug }));
  return out;
}

/**
 * Refuses (CONFLICT, naming the definition's field) link names that connections of the workspace already
 * use, except those of `keep` (an upgrade's own connections). Nothing is written before this check passes.
 */
export async function assertLinkNamesFree(
  m: EntityManager,
  workspaceId: string,
  linkNames: string[],
  field: (i: number) => string,
  keep: string[] = [],
): Promise<void> {
  if (!linkNames.length) return;
  const taken = await m.find(ConnectionRow, {
    where: { workspaceId, linkName: In(linkNames), ...(keep.length ? { id: Not(In(keep)) } : {}) },
    select: { linkName: true },
  });
  if (taken.length === 0) return;
  const names = new Set(taken.map((c) => c.linkName));
  const first = linkNames.findIndex((n) => names.has(n));
  throw new AppError(
    'CONFLICT',
    `The link name(s) ${[...names].join(', ')} are already used in this workspace: rename or delete those ` +
      'connections, then install again. Nothing was installed.',
    { field: field(first), linkNames: [...names] },
  );
}

/** The install's follow-up: one entry per listed connection, with the flow started for it (if any). */
export function toAuthorizeOf(
  extension: ExtensionView,
  ids: string[],
  started: Map<string, Started>,
): ConnectResult[] {
  return extension.connections
    .filter((c) => ids.includes(c.id))
    .map((c) => ({
      connection: c,
      authorization: c.authorization,
      authorizeUrl: started.get(c.id)?.authorizeUrl ?? null,
      attemptId: started.get(c.id)?.attemptId ?? null,
    }));
}
