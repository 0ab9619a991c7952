import { escapeLike } from '../db/sql';
import { AppError } from '../errors';
import type { Viewer } from './viewer';

/**
 * The one home of who may see and use a connection, and of the "whose credentials" rule. Everything else (the
 * list statement, reads, invocations and /proxy, connect and revoke, the event feeds, the console through
 * `Connection.viewerCan` and `Connection.relation`) asks here instead of reading the columns itself. Each
 * TypeScript predicate has its SQL twin next to it; access.test.ts walks the whole matrix for the predicates
 * and connection-access.integration.test.ts checks that the twins agree with them on both databases.
 *
 * The rule (DESIGN.md, "Who may use a connection"):
 * - A connection is visible to its owner always, and to everyone else once it is finished (its first
 *   authorization succeeded: `establishedAt` is set) and its restriction lets them in: unrestricted
 *   (`restrictedTo` null, the default), or they are an admin, or they are named in it.
 * - Every viewer who can see it may use it: a login-user connection with their own authorization, an
 *   owner-credential one with the owner's. Only the owner and admins manage it (edit, delete) and authorize
 *   an owner-credential connection.
 *
 * Every decision is a synchronous function of the connection row and the viewer: a cached row can be re-checked
 * on every use without a query.
 */
export interface ConnectionAccess {
  ownerId: string;
  useLoginUserCredentials: boolean;
}

/** The columns of the row that visibility reads. */
export interface ConnectionVisibility extends ConnectionAccess {
  /** Null: every member. Otherwise the named members (the owner and admins are implicit, never stored). */
  restrictedTo?: readonly string[] | null;
  /** Null while not finished (created by createAndConnect, first authorization not successful yet). */
  establishedAt?: Date | null;
}

export type ConnectionRelationValue = 'OWN' | 'SHARED' | 'OWNER_CREDENTIALS' | 'AVAILABLE';

export interface ViewerCan {
  use: boolean;
  connect: boolean;
  manage: boolean;
}

type Who = Pick<Viewer, 'userId' | 'role'>;

/**
 * The principal whose authorization the viewer uses (invocations) and (re)authorizes (connect, revoke): the
 * viewer for a login-user connection, the owner otherwise.
 */
export function principalFor(viewer: Pick<Viewer, 'userId'>, connection: ConnectionAccess): string {
  return connection.useLoginUserCredentials ? viewer.userId : connection.ownerId;
}

/**
 * The same rule as SQL, for the list statement that joins each connection to the authorization the viewer
 * would use. `me` and `yes` are the statement's parameters (accessParams).
 */
export function principalSql(connectionAlias: string): string {
  const c = `"${connectionAlias}"`;
  return `CASE WHEN ${c}."useLoginUserCredentials" = :yes THEN :me ELSE ${c}."ownerId" END`;
}

/** The owner and admins manage a connection: edit, delete, and authorize it when it uses the owner's account. */
export function canManage(viewer: Who, connection: ConnectionAccess): boolean {
  return connection.ownerId === viewer.userId || viewer.role === 'ADMIN';
}

/** Finished: its first authorization succeeded (or it never needed one: createConnection, installs). */
export function isFinished(connection: ConnectionVisibility): boolean {
  return connection.establishedAt != null;
}

/** The restriction lets the viewer in: there is none, or they own it, are an admin, or are named in it. */
export function restrictionAllows(viewer: Who, connection: ConnectionVisibility): boolean {
  return (
    connection.restrictedTo == null ||
    canManage(viewer, connection) ||
    connection.restrictedTo.includes(viewer.userId)
  );
}

/**
 * Who sees a connection: its owner always (their own not-finished ones included, to resume or discard them);
 * anyone else once it is finished and its restriction lets them in. Nothing else counts: holding an old
 * authorization of a connection one has since been taken off does not make it visible again.
 */
export function canSee(viewer: Who, connection: ConnectionVisibility): boolean {
  if (connection.ownerId === viewer.userId) return true;
  return isFinished(connection) && restrictionAllows(viewer, connection);
}

/**
 * What the viewer may do with a connection. `use` is seeing it (a connection that cannot be used is not shown);
 * `connect` is authorizing the principal's authorization: anyone for their own on a login-user connection, the
 * owner and admins for the owner's; `manage` is the owner and admins. Nothing for a connection they cannot see.
 */
export function viewerCan(viewer: Who, connection: ConnectionVisibility): ViewerCan {
  if (!canSee(viewer, connection)) return { use: false, connect: false, manage: false };
  const manage = canManage(viewer, connection);
  return { use: true, connect: connection.useLoginUserCredentials || manage, manage };
}

/**
 * How a connection relates to the viewer: OWN; another owner's login-user connection the viewer has
 * authorized (`authorizedByViewer`: their own authorization is in an AUTHORIZED status) is SHARED, one they
 * have not is AVAILABLE; another owner's owner-credential connection is OWNER_CREDENTIALS (calls run with the
 * owner's authorization). Null for a connection the viewer cannot see.
 */
export function relation(
  viewer: Who,
  connection: ConnectionVisibility,
  authorizedByViewer: boolean,
): ConnectionRelationValue | null {
  if (!canSee(viewer, connection)) return null;
  if (connection.ownerId === viewer.userId) return 'OWN';
  if (!connection.useLoginUserCredentials) return 'OWNER_CREDENTIALS';
  return authorizedByViewer ? 'SHARED' : 'AVAILABLE';
}

/** `ConnectionFilter.owner`: admins may name any member; others only themselves. */
export function assertOwnerFilter(viewer: Who, ownerId: string): void {
  if (viewer.role !== 'ADMIN' && ownerId !== viewer.userId)
    throw new AppError('FORBIDDEN', 'owner: only an admin can list the connections of another member.', {
      field: 'owner',
    });
}

// ---- The SQL twins. Each reads the connection under `c` (its alias) and these parameters. ----

/**
 * The parameters of every fragment below: the viewer (`me`), boolean true (`yes`, bound per driver) and the
 * LIKE pattern that finds the viewer's id in the JSON array `restrictedTo` is stored as (`meNamed`: the id is
 * quoted as JSON.stringify writes it, and escaped, so it matches that whole array element and nothing else).
 */
export function accessParams(viewer: Pick<Viewer, 'userId'>): { me: string; yes: true; meNamed: string } {
  return { me: viewer.userId, yes: true, meNamed: `%${escapeLike(JSON.stringify(viewer.userId))}%` };
}

/** canSee as SQL, for this viewer's role. */
export function visibleSql(viewer: Who, connectionAlias: string): string {
  const c = `"${connectionAlias}"`;
  const allowed =
    viewer.role === 'ADMIN'
      ? ''
      : ` AND (${c}."restrictedTo" IS NULL OR ${c}."restrictedTo" LIKE :meNamed ESCAPE '\\')`;
  return `(${c}."ownerId" = :me OR (${c}."establishedAt" IS NOT NULL${allowed}))`;
}

/**
 * relation as SQL, for a connection the viewer can see, given the alias of the authorization the viewer would
 * use (AuthorizationStore.joinViewerAuthorization) and the statement's `:...authorized` statuses.
 */
export function relationSql(connectionAlias: string, authorizationAlias: string): string {
  const c = `"${connectionAlias}"`;
  const a = `"${authorizationAlias}"`;
  return (
    `(CASE WHEN ${c}."ownerId" = :me THEN 'OWN' ` +
    `WHEN NOT (${c}."useLoginUserCredentials" = :yes) THEN 'OWNER_CREDENTIALS' ` +
    `WHEN ${a}."status" IN (:...authorized) THEN 'SHARED' ELSE 'AVAILABLE' END)`
  );
}

export type ConnectionListScope = 'OWN' | 'SHARED' | 'ALL';

/**
 * The list scopes: OWN is relation OWN (the viewer's own not-finished connections included); SHARED is
 * relation SHARED or OWNER_CREDENTIALS (the connections of others the viewer uses or may use with the owner's
 * authorization); ALL is every connection the viewer may see.
 */
export function scopeSql(
  viewer: Who,
  scope: ConnectionListScope,
  connectionAlias: string,
  authorizationAlias: string,
): string {
  const c = `"${connectionAlias}"`;
  if (scope === 'OWN') return `${c}."ownerId" = :me`;
  const visible = visibleSql(viewer, connectionAlias);
  if (scope === 'ALL') return visible;
  return `(${visible} AND ${relationSql(connectionAlias, authorizationAlias)} IN ('SHARED', 'OWNER_CREDENTIALS'))`;
}
