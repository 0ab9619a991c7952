import type {
  Authorization as AuthorizationView,
  Connection as ConnectionView,
  Service,
} from '@connections/schema';
import type { AuthorizationRow, ConnectionRow, UserRow } from '../db/entities';
import { viewerCan } from './access';
import { userView } from './user-views';
import type { Viewer } from './viewer';

type Person = Pick<UserRow, 'id' | 'email' | 'displayName'>;

export function authorizationView(a: AuthorizationRow, principal: Person | undefined): AuthorizationView {
  return {
    id: a.id,
    principal: principal
      ? userView(principal)
      : { id: a.principalId, email: '', displayName: 'Unknown user' },
    status: a.status as AuthorizationView['status'],
    grantedScopes: a.grantedScopes,
    expiresAt: a.expiresAt ?? null,
    account: a.accountId ? { id: a.accountId, name: a.accountName ?? null } : null,
    lastError: a.lastError ?? null,
    connectedAt: a.connectedAt ?? null,
    updatedAt: a.updatedAt,
  };
}

/**
 * A connection as the viewer sees it: the authorization an invocation by them would use, its status, and what
 * they may do (the rule's result from access.ts, so clients never re-derive it). `r.owner` must be loaded.
 */
export function connectionView(
  viewer: Viewer,
  r: ConnectionRow,
  auth: AuthorizationRow | undefined,
  service: Service,
): ConnectionView {
  // The principal is the owner (joined) or, for login-user connections, the viewer (known from sign-in).
  const principal = auth && (auth.principalId === r.ownerId ? r.owner : viewer.user);
  return {
    id: r.id,
    name: r.name,
    linkName: r.linkName,
    service,
    scopes: r.scopes,
    useLoginUserCredentials: r.useLoginUserCredentials,
    owner: userView(r.owner!),
    extensionId: r.extensionId ?? null,
    status: (auth?.status ?? 'NOT_CONNECTED') as ConnectionView['status'],
    authorization: auth ? authorizationView(auth, principal) : null,
    viewerCan: viewerCan(viewer, r),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
