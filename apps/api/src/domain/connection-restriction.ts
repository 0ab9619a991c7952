import { type DataSource, type EntityManager, In, IsNull, Not } from 'typeorm';
import { ConnectionRow, MembershipRow, UserRow } from '../db/entities';
import { badInput } from '../errors';
import type { RestrictionMembers } from './connection-views';

/** `ConnectionAccessInput`: restricted to the named members (and the owner and admins), or open to every member. */
export interface ConnectionAccessInput {
  restricted: boolean;
  members?: readonly string[] | null;
}

/**
 * The `restrictedTo` value an access input stores: null when unrestricted (members ignored), else the named
 * members' ids, in the order given, without repeats. Every id must be a member of the workspace
 * (BAD_USER_INPUT on `access.members.<i>` otherwise: an id of another workspace is as unknown as a made-up
 * one). The owner and admins are always allowed, so they are left out rather than stored: a list that named
 * them would suggest that taking them off limits them.
 */
export async function restrictionFrom(
  m: EntityManager,
  workspaceId: string,
  ownerId: string,
  access: ConnectionAccessInput,
): Promise<string[] | null> {
  if (!access.restricted) return null;
  const ids = access.members ?? [];
  if (ids.length === 0) return [];
  const memberships = await m.find(MembershipRow, {
    where: { workspaceId, userId: In([...new Set(ids)]) },
    select: { userId: true, role: true },
  });
  const roles = new Map(memberships.map((x) => [x.userId, x.role]));
  ids.forEach((id, i) => {
    if (!roles.has(id)) throw badInput(`access.members.${i}`, `${id} is not a member of this workspace`);
  });
  return [...new Set(ids)].filter((id) => id !== ownerId && roles.get(id) !== 'ADMIN');
}

/**
 * The users named in the restrictions of `rows` who are still members of the workspace, in one query (none when
 * no row is restricted to anyone).
 */
export async function restrictionMembers(
  ds: DataSource,
  workspaceId: string,
  rows: readonly { restrictedTo?: readonly string[] | null }[],
): Promise<RestrictionMembers> {
  const ids = [...new Set(rows.flatMap((r) => r.restrictedTo ?? []))];
  const found = new Map<string, UserRow>();
  // In chunks: SQLite binds at most 999 parameters per statement.
  for (let i = 0; i < ids.length; i += 500) {
    const users = await ds
      .getRepository(UserRow)
      .createQueryBuilder('u')
      .innerJoin(MembershipRow, 'ms', '"ms"."userId" = "u"."id" AND "ms"."workspaceId" = :workspaceId', {
        workspaceId,
      })
      .select(['u.id', 'u.email', 'u.displayName'])
      .where('u.id IN (:...ids)', { ids: ids.slice(i, i + 500) })
      .getMany();
    for (const u of users) found.set(u.id, u);
  }
  return found;
}

/**
 * Takes a removed member off every restriction in the workspace, inside the removal's transaction: a user who is
 * later invited back starts with no access to restricted connections instead of silently regaining it. Returns
 * the ids of the connections whose restriction changed (their cached rows are stale after commit).
 */
export async function forgetMember(m: EntityManager, workspaceId: string, userId: string): Promise<string[]> {
  const restricted = await m.find(ConnectionRow, {
    select: { id: true, restrictedTo: true },
    where: { workspaceId, restrictedTo: Not(IsNull()) },
  });
  const changed: string[] = [];
  for (const row of restricted) {
    if (!row.restrictedTo?.includes(userId)) continue;
    await m.update(
      ConnectionRow,
      { id: row.id },
      { restrictedTo: row.restrictedTo.filter((id) => id !== userId) },
    );
    changed.push(row.id);
  }
  return changed;
}
