import type { DataSource } from 'typeorm';
import { ConnectionRow } from '../db/entities';
import { badInput, notFound } from '../errors';
import type { AuditService } from './audit';
import { type ConnectionAccessInput, restrictionFrom } from './connection-restriction';
import type { ServiceRegistry } from './service-registry';
import { checkScopes } from './service-validation';
import type { Viewer } from './viewer';

/** updateConnection's input: an absent (or null) field is unchanged. The link name is immutable. */
export interface UpdateConnectionInput {
  id: string;
  name?: string | null;
  scopes?: string[] | null;
  access?: ConnectionAccessInput | null;
}

type Deps = { ds: DataSource; registry: ServiceRegistry; audit: AuditService };
type Patch = Partial<Pick<ConnectionRow, 'name' | 'scopes' | 'restrictedTo'>>;
type Metadata = Record<string, string | number | boolean | null>;

/**
 * Writes the changes of `input` to a connection the caller found visible and manageable, with a
 * "connection.updated" audit entry naming what changed (names, scopes and member ids: nothing secret), in one
 * transaction; nothing when nothing changes. A scope change only changes what is requested next time:
 * existing authorizations keep working with what they were granted, and their `missingScopes` show the gap
 * until they are re-authorized. NOT_FOUND when the connection was deleted meanwhile.
 */
export async function updateConnection(
  { ds, registry, audit }: Deps,
  viewer: Viewer,
  row: ConnectionRow,
  input: UpdateConnectionInput,
): Promise<void> {
  const { patch, changed } = namesAndScopes(row, input, registry.view(row.service).scopeDelimiter);
  await ds.transaction(async (m) => {
    if (input.access != null) {
      const restrictedTo = await restrictionFrom(m, row.workspaceId, row.ownerId, input.access);
      if (!sameRestriction(restrictedTo, row.restrictedTo)) {
        patch.restrictedTo = restrictedTo;
        changed.restricted = restrictedTo !== null;
        changed.restrictedTo = restrictedTo ? restrictedTo.join(',') : null;
      }
    }
    if (Object.keys(patch).length === 0) return;
    const { affected } = await m
      .createQueryBuilder()
      .update(ConnectionRow)
      .set(patch)
      .where('id = :id AND "workspaceId" = :ws', { id: row.id, ws: row.workspaceId })
      .execute();
    if (affected !== 1) throw notFound('Connection');
    await audit.record(
      viewer,
      {
        action: 'connection.updated',
        targetType: 'connection',
        targetId: row.id,
        connectionId: row.id,
        message: `Updated connection "${patch.name ?? row.name}" (${row.linkName}): ${Object.keys(patch).join(', ')}`,
        metadata: { linkName: row.linkName, ...changed },
      },
      m,
    );
  });
}

/** The name and scope changes of `input`, checked, with what the audit entry says about them. */
function namesAndScopes(row: ConnectionRow, input: UpdateConnectionInput, scopeDelimiter: string) {
  const patch: Patch = {};
  const changed: Metadata = {};
  if (input.name != null) {
    const name = input.name.trim();
    if (!name || name.length > 50) throw badInput('name', 'must be 1 to 50 characters');
    if (name !== row.name) {
      patch.name = name;
      Object.assign(changed, { previousName: row.name, name });
    }
  }
  if (input.scopes != null) {
    const scopes = checkScopes('scopes', input.scopes, scopeDelimiter);
    if (scopes.join('\n') !== row.scopes.join('\n')) {
      patch.scopes = scopes;
      changed.scopesAdded = scopes.filter((s) => !row.scopes.includes(s)).join(' ');
      changed.scopesRemoved = row.scopes.filter((s) => !scopes.includes(s)).join(' ');
    }
  }
  return { patch, changed };
}

function sameRestriction(a: readonly string[] | null, b: readonly string[] | null | undefined): boolean {
  if (a === null || b == null) return a === null && b == null;
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
