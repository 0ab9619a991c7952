import type {
  Authorization as AuthorizationView,
  Connection as ConnectionView,
  Service,
} from '@connections/schema';
import type { AuthorizationRow, ConnectionRow, UserRow } from '../db/entities';
import { relation, viewerCan } from './access';
import { AUTHORIZED } from './authorization-store';
import { effectiveStatus } from './refresh-state';
import { scopeGap } from './scope-drift';
import { userView } from './user-views';
import type { Viewer } from './viewer';

type Person = Pick<UserRow, 'id' | 'email' | 'displayName'>;

/** The members named in connections' restrictions, by user id (connection-restriction.ts reads them). */
export type RestrictionMembers = ReadonlyMap<string, Person>;

/** `requested`: the connection's scopes (OAuth services), which `missingScopes` compares with the grant. */
export function authorizationView(
  a: AuthorizationRow,
  principal: Person | undefined,
  requested: readonly string[] = [],
): AuthorizationView {
  const status = effectiveStatus(a);
  return {
    id: a.id,
    principal: principal
      ? userView(principal)
      : { id: a.principalId, email: '', displayName: 'Unknown user' },
    status: status as AuthorizationView['status'],
    grantedScopes: a.grantedScopes,
    missingScopes: scopeGap(requested, { status, grantedScopes: a.grantedScopes }),
    hasRefreshToken: !!a.hasRefreshToken,
    expiresAt: a.expiresAt ?? null,
    account: a.accountId ? { id: a.accountId, name: a.accountName ?? null } : null,
    lastError: a.lastError ?? null,
    connectedAt: a.connectedAt ?? null,
    updatedAt: a.updatedAt,
  };
}

/**
 * A connection as the viewer sees it: the authorization an invocation by them would use, its status, what they
 * may do and how it relates to them (the rule's results from access.ts, so clients never re-derive them), and
 * its restriction with the named members found in `members` (a member who left is not listed). `r.owner` must
 * be loaded.
 */
export function connectionView(
  viewer: Viewer,
  r: ConnectionRow,
  auth: AuthorizationRow | undefined,
  service: Service,
  members: RestrictionMembers = new Map(),
): ConnectionView {
  // The principal is the owner (joined) or, for login-user connections, the viewer (known from sign-in).
  const principal = auth && (auth.principalId === r.ownerId ? r.owner : viewer.user);
  const authorizedByViewer = auth?.principalId === viewer.userId && AUTHORIZED.includes(auth.status);
  const related = relation(viewer, r, authorizedByViewer);
  const oauth = service.authType === 'OAUTH2' || service.authType === 'OAUTH1';
  // Views are built only for connections the viewer may see (findVisible, the list's predicate): fail closed.
  if (!related) throw new Error(`a view of connection ${r.id} was built for a viewer who cannot see it`);
  return {
    id: r.id,
    name: r.name,
    linkName: r.linkName,
    service,
    scopes: r.scopes,
    useLoginUserCredentials: r.useLoginUserCredentials,
    owner: userView(r.owner!),
    extensionId: r.extensionId ?? null,
    status: (auth ? effectiveStatus(auth) : 'NOT_CONNECTED') as ConnectionView['status'],
    authorization: auth ? authorizationView(auth, principal, oauth ? r.scopes : []) : null,
    viewerCan: viewerCan(viewer, r),
    relation: related as ConnectionView['relation'],
    restriction:
      r.restrictedTo == null
        ? null
        : { members: r.restrictedTo.flatMap((id) => (members.has(id) ? [userView(members.get(id)!)] : [])) },
    // `establishedAt` must be selected (list columns): a row without it reads as not finished.
    finished: !!r.establishedAt,
    // Filled for not-finished ones by withUnfinishedDeadlines (unfinished-connections.ts), from their attempts.
    unfinishedExpiresAt: null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
