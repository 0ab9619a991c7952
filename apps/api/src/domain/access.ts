import type { Viewer } from './viewer';

/**
 * The one home of the "whose credentials" rule and of what a viewer may do with a connection. Everything
 * else (the list query, invocations, connect and revoke, the console through `Connection.viewerCan`) asks
 * here instead of reading `useLoginUserCredentials` itself.
 */
export interface ConnectionAccess {
  ownerId: string;
  useLoginUserCredentials: boolean;
}

export interface ViewerCan {
  use: boolean;
  connect: boolean;
  manage: boolean;
}

/**
 * The principal whose authorization the viewer uses (invocations) and (re)authorizes (connect, revoke): the
 * viewer for a login-user connection, the owner otherwise.
 */
export function principalFor(viewer: Pick<Viewer, 'userId'>, connection: ConnectionAccess): string {
  return connection.useLoginUserCredentials ? viewer.userId : connection.ownerId;
}

/**
 * The same rule as SQL, for the list statement that joins each connection to the authorization the viewer
 * would use. `me` and `yes` are the statement's parameters for the viewer's id and boolean true.
 */
export function principalSql(connectionAlias: string): string {
  const c = `"${connectionAlias}"`;
  return `CASE WHEN ${c}."useLoginUserCredentials" = :yes THEN :me ELSE ${c}."ownerId" END`;
}

/** The owner and admins manage a connection: edit, delete, and authorize it when it uses the owner's account. */
export function canManage(viewer: Pick<Viewer, 'userId' | 'role'>, connection: ConnectionAccess): boolean {
  return connection.ownerId === viewer.userId || viewer.role === 'ADMIN';
}

/**
 * What the viewer may do with a connection they can see. `use` is true for every connection the viewer can
 * see (visibility is the gate: a connection that cannot be used is not shown); `connect` is authorizing the
 * principal's authorization: anyone for their own on a login-user connection, the owner and admins for the
 * owner's.
 */
export function viewerCan(viewer: Pick<Viewer, 'userId' | 'role'>, connection: ConnectionAccess): ViewerCan {
  const manage = canManage(viewer, connection);
  return { use: true, connect: connection.useLoginUserCredentials || manage, manage };
}

/**
 * Who sees a connection: admins, its owner, everyone for a login-user connection (each uses their own
 * authorization), and whoever holds an authorization of it. `holdsOwn` is asked only when the rest says no.
 */
export async function canSee(
  viewer: Pick<Viewer, 'userId' | 'role'>,
  connection: ConnectionAccess,
  holdsOwn: () => Promise<boolean>,
): Promise<boolean> {
  if (canManage(viewer, connection) || connection.useLoginUserCredentials) return true;
  return holdsOwn();
}

/** The same rule as SQL for a non-admin viewer (`:me`), given the "holds an authorization" clause. */
export function visibleSql(connectionAlias: string, holdsOwnSql: string): string {
  const c = `"${connectionAlias}"`;
  return `(${c}."ownerId" = :me OR ${c}."useLoginUserCredentials" = :yes OR ${holdsOwnSql})`;
}
