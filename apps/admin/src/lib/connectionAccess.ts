import type { ConnectionScope, ConnectionStatus } from '../generated/graphql';
import { AUTHORIZED_STATUSES } from './connectionStatus';
import { userLabel } from './format';

/**
 * What the console offers on a connection, and how it labels and groups connections. What the viewer may do
 * is the server's answer (`Connection.viewerCan`, the same rule the API enforces on connect, revoke, edit and
 * delete), and how the viewer relates to a connection is the server's too (`Connection.relation`); the
 * console adds only what the live status allows, and never reads roles, ownership or
 * `useLoginUserCredentials` to decide a permission or a label.
 */
export interface ViewerCan {
  use: boolean;
  connect: boolean;
  manage: boolean;
}

/**
 * OWN: the viewer owns it. SHARED: a colleague's login-user connection the viewer authorized.
 * OWNER_CREDENTIALS: a colleague's owner-credential connection the viewer may use (calls run with the owner's
 * authorization). AVAILABLE: a colleague's login-user connection the viewer has not authorized yet.
 */
export type Relation = 'OWN' | 'SHARED' | 'OWNER_CREDENTIALS' | 'AVAILABLE';

export interface UserLike {
  id: string;
  email: string;
  displayName: string;
}

export interface AccessRow {
  relation: Relation;
  /** False while the first authorization has not succeeded ("not finished"). */
  finished: boolean;
  owner: UserLike;
  viewerCan: ViewerCan;
}

export interface ConnectionActions {
  /** Connect or Reconnect (Resume for a not-finished connection). */
  connect: boolean;
  revoke: boolean;
  /** Delete (Discard for a not-finished connection). */
  delete: boolean;
  /** Rename, change scopes or the restriction. */
  edit: boolean;
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
    edit: row.viewerCan.manage,
  };
}

/** The viewer may connect it and it has no working credentials: a Connect button is worth offering. */
export function awaitsViewer(row: Pick<AccessRow, 'viewerCan'>, status: ConnectionStatus): boolean {
  return row.viewerCan.connect && !AUTHORIZED_STATUSES.includes(status);
}

/** The connections page's tabs, each one of the API's list scopes. */
export type ListTab = 'own' | 'shared' | 'all';
export const LIST_TABS: readonly ListTab[] = ['own', 'shared', 'all'];
export const TAB_SCOPE: Record<ListTab, ConnectionScope> = { own: 'OWN', shared: 'SHARED', all: 'ALL' };

/** The tab named in the URL; the former "To connect" tab lives on in All ("Connect to use"). */
export function parseTab(value: string): ListTab {
  if (value === 'to-connect') return 'all';
  return LIST_TABS.find((t) => t === value) ?? 'own';
}

export type RelationTone = 'own' | 'shared' | 'owner' | 'available' | 'unfinished';

export interface RelationLabel {
  text: string;
  tone: RelationTone;
  /** A sentence for a tooltip or a screen reader. */
  title: string;
}

/** How a row is labelled in the lists. */
export function relationLabel(row: Pick<AccessRow, 'relation' | 'finished' | 'owner'>): RelationLabel {
  if (!row.finished)
    return {
      text: 'Not finished',
      tone: 'unfinished',
      title: 'Its first authorization has not succeeded yet: only you see it. Resume or discard it.',
    };
  const owner = userLabel(row.owner);
  switch (row.relation) {
    case 'OWN':
      return { text: 'Own', tone: 'own', title: 'You own this connection.' };
    case 'SHARED':
      return {
        text: 'Shared (you authorized)',
        tone: 'shared',
        title: `${owner} owns it; your calls use the account you authorized.`,
      };
    case 'OWNER_CREDENTIALS':
      return {
        text: `Runs as ${owner}`,
        tone: 'owner',
        title: `Calls run with ${owner}'s authorization; you never see the credentials.`,
      };
    case 'AVAILABLE':
      return {
        text: 'Connect to use',
        tone: 'available',
        title: 'Each member connects their own account: connect yours to use it.',
      };
  }
}

/**
 * What the connection page tells the viewer about their relation to it: whose account the calls use, and
 * what they may do about it. Null when there is nothing to add (the viewer owns it).
 */
export function relationExplanation(row: Pick<AccessRow, 'relation' | 'owner' | 'viewerCan'>): string | null {
  const owner = userLabel(row.owner);
  switch (row.relation) {
    case 'OWN':
      return null;
    case 'OWNER_CREDENTIALS':
      return row.viewerCan.manage
        ? `Runs with ${owner}'s account. As an admin you can reconnect, edit or delete it.`
        : `Runs with ${owner}'s account; you can use it but not change it.`;
    case 'SHARED':
      return `${owner} owns it; your calls run with your own account, which you authorized.`;
    case 'AVAILABLE':
      return `Each member connects their own account. Connect yours to use it; ${owner} owns it.`;
  }
}

export interface RowActions {
  /** Connect to use (AVAILABLE and not connected yet). */
  connect: boolean;
  /** A not-finished connection: start its authorization again. */
  resume: boolean;
  /** A not-finished connection: delete it. */
  discard: boolean;
}

/**
 * The buttons of a row in the lists. `toAuthorize`: a list of what waits for the viewer (an extension's),
 * where every row they may connect and that has no working credentials gets Connect, their own included.
 */
export function rowActions(row: AccessRow, status: ConnectionStatus, toAuthorize = false): RowActions {
  if (!row.finished) return { connect: false, resume: row.viewerCan.connect, discard: row.viewerCan.manage };
  return {
    connect: (toAuthorize || row.relation === 'AVAILABLE') && awaitsViewer(row, status),
    resume: false,
    discard: false,
  };
}

/** Rows that offer a button get the action column. */
export const anyRowAction = <R extends AccessRow>(
  rows: readonly R[],
  statusOf: (row: R) => ConnectionStatus,
  toAuthorize = false,
) =>
  rows.some((r) => {
    const a = rowActions(r, statusOf(r), toAuthorize);
    return a.connect || a.resume || a.discard;
  });

/**
 * An extension's connections as on the connections page (Own, Shared: the API's SHARED list, which holds the
 * owner-credential connections of others too), plus those waiting for the viewer. An admin may also connect
 * a colleague's owner-credential connection (its page offers it), but it is not theirs to authorize, so it is
 * not listed as waiting for them.
 */
export function extensionGroups<R extends AccessRow>(
  rows: readonly R[],
  statusOf: (row: R) => ConnectionStatus,
): { toAuthorize: R[]; own: R[]; shared: R[] } {
  return {
    toAuthorize: rows.filter((r) => r.relation !== 'OWNER_CREDENTIALS' && awaitsViewer(r, statusOf(r))),
    own: rows.filter((r) => r.relation === 'OWN'),
    // One the viewer has just connected is shared with them already, before the list is read again.
    shared: rows.filter(
      (r) =>
        r.relation === 'OWNER_CREDENTIALS' ||
        r.relation === 'SHARED' ||
        (r.relation === 'AVAILABLE' && AUTHORIZED_STATUSES.includes(statusOf(r))),
    ),
  };
}
