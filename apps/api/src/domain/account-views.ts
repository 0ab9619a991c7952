import type {
  ApiToken,
  Member,
  RemovedMember,
  Role,
  Viewer as ViewerView,
  Workspace,
} from '@connections/schema';
import type { ApiTokenRow, MembershipRow, UserRow, WorkspaceRow } from '../db/entities';
import { userView } from './user-views';
import type { Viewer } from './viewer';

export function tokenView(t: ApiTokenRow): ApiToken {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt ?? null,
    revokedAt: t.revokedAt ?? null,
  };
}

export function memberView(m: MembershipRow, user: Pick<UserRow, 'id' | 'email' | 'displayName'>): Member {
  return { user: userView(user), role: m.role as Role, joinedAt: m.createdAt };
}

export type RemovedMemberView = RemovedMember;

export function removedMemberView(
  user: Pick<UserRow, 'id' | 'email' | 'displayName'>,
  counts: Omit<RemovedMember, 'user'>,
): RemovedMember {
  return { user: userView(user), ...counts };
}

export function workspaceView(w: Pick<WorkspaceRow, 'id' | 'name'>): Workspace {
  return { id: w.id, name: w.name };
}

export function viewerView(v: Viewer, workspace: Pick<WorkspaceRow, 'id' | 'name'>): ViewerView {
  return {
    user: v.user,
    workspace: workspaceView(workspace),
    role: v.role as Role,
    authMethod: v.authMethod,
  };
}
