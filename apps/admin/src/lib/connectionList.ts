import type { ConnectionOrderField, ConnectionStatus, OrderDirection } from '../generated/graphql';
import { connectionActions, type AccessRow } from './connectionAccess';
import { relativeTime } from './format';

/**
 * The connection list's sorting, selection and bulk actions, and the health a row shows at a glance. The
 * server sorts (connections(orderBy), stable across pages); the console only says which column and which way.
 */
export interface ListSort {
  field: ConnectionOrderField;
  direction: OrderDirection;
}

/** Newest first: the server's order when none is given. */
export const DEFAULT_SORT: ListSort = { field: 'CREATED', direction: 'DESC' };

/** A column header's click: a new column starts ascending (created: newest first), the same one flips. */
export function nextSort(current: ListSort, field: ConnectionOrderField): ListSort {
  if (current.field !== field) return { field, direction: field === 'CREATED' ? 'DESC' : 'ASC' };
  return { field, direction: current.direction === 'ASC' ? 'DESC' : 'ASC' };
}

/** aria-sort of a column header. */
export function ariaSort(sort: ListSort, field: ConnectionOrderField): 'ascending' | 'descending' | 'none' {
  if (sort.field !== field) return 'none';
  return sort.direction === 'ASC' ? 'ascending' : 'descending';
}

/** The sort in the URL (`sort=name` or `sort=-name`), and back; anything else is the default. */
export function sortParam(sort: ListSort): string | undefined {
  if (sort.field === DEFAULT_SORT.field && sort.direction === DEFAULT_SORT.direction) return undefined;
  return `${sort.direction === 'DESC' ? '-' : ''}${sort.field.toLowerCase()}`;
}
export function parseSort(value: string | undefined): ListSort {
  const m = /^(-?)(name|service|status|created)$/.exec(value ?? '');
  if (!m) return DEFAULT_SORT;
  return { field: m[2]!.toUpperCase() as ConnectionOrderField, direction: m[1] ? 'DESC' : 'ASC' };
}

export type BulkAction = 'reconnect' | 'revoke' | 'delete';

type BulkRow = Pick<AccessRow, 'viewerCan'> & { id: string; name: string; finished: boolean };

/**
 * Which selected rows each bulk action applies to, by the server's viewerCan and the live status: a row the
 * viewer may not act on is left out (and the button says how many it will touch), never sent to fail.
 */
export function bulkTargets<R extends BulkRow>(
  rows: readonly R[],
  statusOf: (row: R) => ConnectionStatus,
): Record<BulkAction, R[]> {
  const can = (row: R) => connectionActions(row, statusOf(row));
  return {
    reconnect: rows.filter((r) => r.finished && can(r).connect),
    revoke: rows.filter((r) => can(r).revoke),
    delete: rows.filter((r) => r.finished && can(r).delete),
  };
}

/** What the confirmation says a bulk action does, for `n` connections. */
export function bulkConfirmText(
  action: BulkAction,
  n: number,
): { title: string; body: string; confirm: string } {
  const them = n === 1 ? 'this connection' : `these ${n} connections`;
  if (action === 'revoke')
    return {
      title: `Revoke ${n === 1 ? 'this authorization' : `${n} authorizations`}?`,
      body: `The credentials of ${them} are revoked at the provider where it supports it, and removed here. Calls fail until someone connects again.`,
      confirm: 'Revoke',
    };
  if (action === 'delete')
    return {
      title: `Delete ${them}?`,
      body: `${n === 1 ? 'It and every authorization of it are' : 'They and every authorization of them are'} deleted. Anything that calls ${n === 1 ? 'it' : 'them'} stops working. This cannot be undone.`,
      confirm: n === 1 ? 'Delete connection' : `Delete ${n} connections`,
    };
  return {
    title: `Reconnect ${them}?`,
    body: 'Each one opens the provider’s consent in turn (API keys and passwords are asked for on the connection’s page).',
    confirm: 'Reconnect',
  };
}

/** The outcome line after a bulk action: how many worked, and the first failure's reason. */
export function bulkOutcome(
  action: BulkAction,
  done: number,
  failures: { name: string; message: string }[],
): string {
  const verb = action === 'revoke' ? 'Revoked' : action === 'delete' ? 'Deleted' : 'Reconnected';
  const ok = `${verb} ${done} connection${done === 1 ? '' : 's'}.`;
  if (!failures.length) return ok;
  const first = failures[0]!;
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
  return `${ok} ${first.name} failed: ${first.message}${more}.`;
}

export interface HealthLike {
  lastUsedAt?: string | null;
  lastSuccessAt?: string | null;
  calls24h: number;
  errors24h: number;
}

/** A row's health at a glance: when it was last used, and its calls and errors over 24 hours. */
export function healthAtAGlance(
  h: HealthLike | null | undefined,
  now = Date.now(),
): { lastUsed: string; calls: string; tone: 'idle' | 'ok' | 'warn' | 'bad' } {
  if (!h || !h.lastUsedAt) return { lastUsed: 'Never used', calls: 'No calls in 24 h', tone: 'idle' };
  const calls =
    h.calls24h === 0
      ? 'No calls in 24 h'
      : `${h.calls24h} call${h.calls24h === 1 ? '' : 's'} in 24 h${h.errors24h ? `, ${h.errors24h} failed` : ''}`;
  const tone =
    h.calls24h === 0 ? 'idle' : h.errors24h === 0 ? 'ok' : h.errors24h >= h.calls24h ? 'bad' : 'warn';
  return { lastUsed: `Used ${relativeTime(h.lastUsedAt, now)}`, calls, tone };
}
