import { userLabel } from './format';

/**
 * Who may see and use a connection: everyone in the workspace (the default), or only named members. The
 * owner and the workspace's admins are always allowed and are never part of the stored list, so the editor
 * shows them as included and sends only the others.
 */
export interface AccessDraft {
  restricted: boolean;
  /** Named members' user ids (never the owner or an admin). */
  members: string[];
}

/** `ConnectionAccessInput` of the API. */
export interface AccessInput {
  restricted: boolean;
  members?: string[];
}

export interface MemberLike {
  role: 'ADMIN' | 'MEMBER';
  user: { id: string; email: string; displayName: string };
}

export interface RestrictionLike {
  members: { id: string; email: string; displayName: string }[];
}

export const EVERYONE: AccessDraft = { restricted: false, members: [] };

/** The editor's starting point for a connection (null restriction = everyone). */
export function draftOf(restriction: RestrictionLike | null | undefined): AccessDraft {
  return restriction ? { restricted: true, members: restriction.members.map((m) => m.id) } : { ...EVERYONE };
}

/** The ids that are allowed anyway: the owner and every admin. */
export function implicitIds(members: readonly MemberLike[], ownerId: string): Set<string> {
  return new Set([ownerId, ...members.filter((m) => m.role === 'ADMIN').map((m) => m.user.id)]);
}

/** What the API is sent: members only when restricted, without the implicit ones, in a stable order. */
export function accessInput(draft: AccessDraft, implicit: ReadonlySet<string> = new Set()): AccessInput {
  if (!draft.restricted) return { restricted: false };
  return { restricted: true, members: [...new Set(draft.members)].filter((id) => !implicit.has(id)).sort() };
}

/** Whether two drafts mean the same access (the editor's Save is enabled only on a change). */
export function sameAccess(
  a: AccessDraft,
  b: AccessDraft,
  implicit: ReadonlySet<string> = new Set(),
): boolean {
  const x = accessInput(a, implicit);
  const y = accessInput(b, implicit);
  return x.restricted === y.restricted && (x.members ?? []).join() === (y.members ?? []).join();
}

export interface MemberOption {
  id: string;
  label: string;
  email: string;
  /** Allowed whatever the editor says: shown checked and disabled. */
  implicit: 'owner' | 'admin' | null;
}

/** The picker's list: the owner, then admins (both always allowed), then the other members by name. */
export function memberOptions(members: readonly MemberLike[], ownerId: string): MemberOption[] {
  const option = (m: MemberLike): MemberOption => ({
    id: m.user.id,
    label: userLabel(m.user),
    email: m.user.email,
    implicit: m.user.id === ownerId ? 'owner' : m.role === 'ADMIN' ? 'admin' : null,
  });
  const rank = { owner: 0, admin: 1 } as const;
  return members
    .map(option)
    .sort(
      (a, b) =>
        (a.implicit ? rank[a.implicit] : 2) - (b.implicit ? rank[b.implicit] : 2) ||
        a.label.localeCompare(b.label),
    );
}

/** Toggles one member in a restricted draft. */
export function toggleMember(draft: AccessDraft, id: string, on: boolean): AccessDraft {
  const rest = draft.members.filter((m) => m !== id);
  return { ...draft, members: on ? [...rest, id] : rest };
}

/** One line saying who may use it, for the connection page and the form. */
export function restrictionSummary(restriction: RestrictionLike | null | undefined): string {
  if (!restriction) return 'Everyone in the workspace';
  const names = restriction.members.map(userLabel);
  if (!names.length) return 'Only the owner and admins';
  const shown =
    names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return `Only ${shown} (with the owner and admins)`;
}
