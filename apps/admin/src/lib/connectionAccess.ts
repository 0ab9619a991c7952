import type { ConnectionStatus } from '../generated/graphql';
import { AUTHORIZED_STATUSES } from './connectionStatus';

/**
 * What the console offers on a connection, and how it groups connections into lists. What the viewer may do
 * is the server's answer (`Connection.viewerCan`, the same rule the API enforces on connect, revoke and
 * delete); the console adds only what the live status allows, and never reads roles, ownership or
 * `useLoginUserCredentials` to decide a permission. Ownership and login-user still group rows into the
 * Own / Shared / To connect lists, which is presentation, not permission.
 */
export interface ViewerCan {
  use: boolean;
  connect: boolean;
  manage: boolean;
}

export interface AccessRow {
  useLoginUserCredentials: boolean;
  owner: { id: string };
  viewerCan: ViewerCan;
}

export interface ConnectionActions {
  /** Connect or Reconnect. */
  connect: boolean;
  revoke: boolean;
  delete: boolean;
}

/** Statuses with stored credentials that Revoke would remove. */
const REVOCABLE: readonly ConnectionStatus[] = ['CONNECTED', 'REFRESHING', 'REFRESH_FAILED'];

/** The buttons a connection's page shows the viewer. */
export function connectionActions(
  row: Pick<AccessRow, 'viewerCan'>,
  status: ConnectionStatus,
): ConnectionActions {
  return {
    connect: row.viewerCan.connect,
    revoke: row.viewerCan.connect && REVOCABLE.includes(status),
    delete: row.viewerCan.manage,
  };
}

/** The viewer may connect it and it has no working credentials: a Connect button is worth offering. */
export function awaitsViewer(row: Pick<AccessRow, 'viewerCan'>, status: ConnectionStatus): boolean {
  return row.viewerCan.connect && !AUTHORIZED_STATUSES.includes(status);
}

/** The Own list: connections the viewer owns. */
export const isOwn = (row: Pick<AccessRow, 'owner'>, viewerId: string | undefined): boolean =>
  row.owner.id === viewerId;

/** The Shared and To connect lists: colleagues' connections that each user authorizes with their own account. */
export const isColleaguesLoginUser = (
  row: Pick<AccessRow, 'useLoginUserCredentials' | 'owner'>,
  viewerId: string | undefined,
): boolean => row.useLoginUserCredentials && !isOwn(row, viewerId);

/** The connections page's To connect list: colleagues' login-user connections still waiting for the viewer. */
export function toConnectList<R extends AccessRow>(
  rows: readonly R[],
  viewerId: string | undefined,
  statusOf: (row: R) => ConnectionStatus,
): R[] {
  return rows.filter((r) => isColleaguesLoginUser(r, viewerId) && awaitsViewer(r, statusOf(r)));
}

/**
 * An extension's connections as on the connections page (Own, Shared), plus those of either list still
 * waiting for the viewer. An admin may also connect a colleague's owner-credential connection (its page
 * offers it), but it is not theirs to authorize, so it is not listed as waiting for them.
 */
export function extensionGroups<R extends AccessRow>(
  rows: readonly R[],
  viewerId: string | undefined,
  statusOf: (row: R) => ConnectionStatus,
): { toAuthorize: R[]; own: R[]; shared: R[] } {
  const mine = (r: R) => isOwn(r, viewerId) || isColleaguesLoginUser(r, viewerId);
  return {
    toAuthorize: rows.filter((r) => mine(r) && awaitsViewer(r, statusOf(r))),
    own: rows.filter((r) => isOwn(r, viewerId)),
    shared: rows.filter(
      (r) => isColleaguesLoginUser(r, viewerId) && AUTHORIZED_STATUSES.includes(statusOf(r)),
    ),
  };
}
