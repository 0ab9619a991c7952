import type { AuthorizationEventType, ConnectionStatus } from '../generated/graphql';

/**
 * Live statuses from `authorizationEvents`. An event is about one principal's authorization; a row in a list
 * shows the authorization an invocation by the viewer would use (the viewer's own for login-user
 * connections, the owner's otherwise), so an event changes a row only when its principal is that one. An
 * admin hears every member's events and must not see a colleague's CONNECTED on a row they have not
 * authorized themselves.
 */
export interface StatusEvent {
  id: string;
  type: AuthorizationEventType;
  connectionId: string;
  status: ConnectionStatus;
  attemptId: string | null;
  at: string;
  message: string;
  principal: { id: string };
}

export interface LiveStatus {
  status: ConnectionStatus;
  at: string;
  message: string;
  type: AuthorizationEventType;
}

export interface LiveStatusState {
  /** `${connectionId}:${principalId}` -> the latest event's status. */
  byAuthorization: Record<string, LiveStatus>;
  /** Connections deleted since the lists were loaded. */
  deleted: Record<string, true>;
  /** Every event's id, once: graphql-ws may redeliver after a reconnect. */
  seen: Record<string, true>;
}

export interface StatusRow {
  id: string;
  status: ConnectionStatus;
  useLoginUserCredentials: boolean;
  updatedAt: string;
  owner: { id: string };
  authorization: { status: ConnectionStatus; updatedAt: string; principal: { id: string } } | null;
}

export const emptyLiveStatus = (): LiveStatusState => ({ byAuthorization: {}, deleted: {}, seen: {} });

const key = (connectionId: string, principalId: string) => `${connectionId}:${principalId}`;

/**
 * The principal whose authorization the viewer's invocations use. The server names it when the row carries
 * that authorization. A row without one still has to know whose event will fill it, and the API names no
 * principal then (`viewerCan` says what the viewer may do, not whose credentials), so only that case repeats
 * the server's rule: the viewer for a login-user connection, the owner otherwise.
 */
export function principalFor(
  row: Pick<StatusRow, 'useLoginUserCredentials' | 'owner' | 'authorization'>,
  viewerId: string,
): string {
  return row.authorization?.principal.id ?? (row.useLoginUserCredentials ? viewerId : row.owner.id);
}

/** Applies one event; events older than what is already known for the same authorization are ignored. */
export function applyEvent(state: LiveStatusState, e: StatusEvent): LiveStatusState {
  if (state.seen[e.id]) return state;
  const seen = { ...state.seen, [e.id]: true as const };
  if (e.type === 'DELETED') return { ...state, seen, deleted: { ...state.deleted, [e.connectionId]: true } };
  const k = key(e.connectionId, e.principal.id);
  const known = state.byAuthorization[k];
  if (known && Date.parse(known.at) > Date.parse(e.at)) return { ...state, seen };
  return {
    ...state,
    seen,
    byAuthorization: {
      ...state.byAuthorization,
      [k]: { status: e.status, at: e.at, message: e.message, type: e.type },
    },
  };
}

/**
 * A row's status for the viewer: the live one when an event arrived after the row was read, else the row's.
 * (A row re-read after the event carries a newer timestamp and wins again.)
 */
export function liveStatusOf(row: StatusRow, viewerId: string, state: LiveStatusState): ConnectionStatus {
  const live = state.byAuthorization[key(row.id, principalFor(row, viewerId))];
  if (!live) return row.status;
  const readAt = Date.parse(row.authorization?.updatedAt ?? row.updatedAt);
  return Date.parse(live.at) >= readAt ? live.status : row.status;
}

export const isDeleted = (state: LiveStatusState, connectionId: string) => !!state.deleted[connectionId];

/** Statuses under which the viewer has working (or recoverable) credentials. */
export const AUTHORIZED_STATUSES: readonly ConnectionStatus[] = [
  'CONNECTED',
  'REFRESHING',
  'REFRESH_FAILED',
  'NEEDS_REAUTH',
];

export type StatusTone = 'success' | 'warning' | 'danger' | 'neutral' | 'progress';

export const STATUS_INFO: Record<ConnectionStatus, { label: string; tone: StatusTone }> = {
  CONNECTED: { label: 'Connected', tone: 'success' },
  PENDING: { label: 'Pending', tone: 'progress' },
  REFRESHING: { label: 'Refreshing', tone: 'progress' },
  REFRESH_FAILED: { label: 'Refresh failed', tone: 'warning' },
  NEEDS_REAUTH: { label: 'Needs reconnect', tone: 'danger' },
  DENIED: { label: 'Denied', tone: 'danger' },
  FAILED: { label: 'Failed', tone: 'danger' },
  REVOKED: { label: 'Revoked', tone: 'neutral' },
  NOT_CONNECTED: { label: 'Not connected', tone: 'neutral' },
};

export const ALL_STATUSES = Object.keys(STATUS_INFO) as ConnectionStatus[];

/** What the connection page tells the viewer to do about a status. */
export function statusAdvice(status: ConnectionStatus, canManage: boolean): string | null {
  switch (status) {
    case 'CONNECTED':
    case 'REFRESHING':
      return null;
    case 'PENDING':
      return 'An authorization was started but not finished. Finish it in its window, or Reconnect to start over.';
    case 'REFRESH_FAILED':
      return 'The provider did not answer the token refresh (it may be down or rate limiting). It is retried automatically; Reconnect if it keeps failing.';
    case 'NEEDS_REAUTH':
      return 'The provider no longer accepts the stored credentials (revoked there, expired, or missing scopes). Reconnect to authorize again.';
    case 'DENIED':
      return 'Access was refused at the provider. Reconnect and approve the requested scopes.';
    case 'FAILED':
      return canManage
        ? "The authorization failed. Check the service's client ID and secret and that its redirect URI is registered at the provider, then Reconnect."
        : 'The authorization failed. Try Reconnect; if it fails again, ask an admin to check the service.';
    case 'REVOKED':
      return 'The credentials were revoked. Reconnect to use this connection again.';
    case 'NOT_CONNECTED':
      return 'Nobody has authorized this connection for you yet. Connect to use it.';
  }
}
