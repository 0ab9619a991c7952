import type { ConnectionStatus } from '../generated/graphql';
import {
  ariaSort,
  bulkConfirmText,
  bulkOutcome,
  bulkTargets,
  DEFAULT_SORT,
  healthAtAGlance,
  nextSort,
  parseSort,
  sortParam,
} from './connectionList';

test('sorting: a new column starts ascending, the same one flips, and the URL round-trips', () => {
  expect(nextSort(DEFAULT_SORT, 'NAME')).toEqual({ field: 'NAME', direction: 'ASC' });
  expect(nextSort({ field: 'NAME', direction: 'ASC' }, 'NAME')).toEqual({ field: 'NAME', direction: 'DESC' });
  expect(nextSort({ field: 'NAME', direction: 'ASC' }, 'CREATED')).toEqual(DEFAULT_SORT);
  expect(ariaSort({ field: 'STATUS', direction: 'ASC' }, 'STATUS')).toBe('ascending');
  expect(ariaSort({ field: 'STATUS', direction: 'ASC' }, 'NAME')).toBe('none');
  expect(sortParam(DEFAULT_SORT)).toBeUndefined();
  expect(sortParam({ field: 'SERVICE', direction: 'DESC' })).toBe('-service');
  expect(parseSort('-service')).toEqual({ field: 'SERVICE', direction: 'DESC' });
  expect(parseSort('status')).toEqual({ field: 'STATUS', direction: 'ASC' });
  expect(parseSort('drop table')).toEqual(DEFAULT_SORT);
  expect(parseSort(undefined)).toEqual(DEFAULT_SORT);
});

const row = (
  id: string,
  can: { connect: boolean; manage: boolean },
  status: ConnectionStatus,
  finished = true,
) => ({
  id,
  name: id,
  finished,
  status,
  viewerCan: { use: true, ...can },
});

test('bulk actions apply to the rows the viewer may act on, by viewerCan and status', () => {
  const rows = [
    row('mine', { connect: true, manage: true }, 'CONNECTED'),
    row('revoked', { connect: true, manage: true }, 'REVOKED'),
    row('colleague', { connect: false, manage: false }, 'CONNECTED'),
    row('unfinished', { connect: true, manage: true }, 'PENDING', false),
  ];
  const t = bulkTargets(rows, (r) => r.status);
  expect(t.revoke.map((r) => r.id)).toEqual(['mine']);
  expect(t.delete.map((r) => r.id)).toEqual(['mine', 'revoked']);
  expect(t.reconnect.map((r) => r.id)).toEqual(['mine', 'revoked']);
});

test('bulk confirmation and outcome say how many, and the first failure', () => {
  expect(bulkConfirmText('revoke', 2).title).toBe('Revoke 2 authorizations?');
  expect(bulkConfirmText('delete', 1).confirm).toBe('Delete connection');
  expect(bulkConfirmText('delete', 3).body).toContain('cannot be undone');
  expect(bulkOutcome('revoke', 2, [])).toBe('Revoked 2 connections.');
  expect(
    bulkOutcome('delete', 1, [
      { name: 'CRM', message: 'Not found' },
      { name: 'B', message: 'x' },
    ]),
  ).toBe('Deleted 1 connection. CRM failed: Not found (and 1 more).');
});

test('health at a glance', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  expect(healthAtAGlance(null, now)).toEqual({
    lastUsed: 'Never used',
    calls: 'No calls in 24 h',
    tone: 'idle',
  });
  expect(healthAtAGlance({ lastUsedAt: '2026-05-01T11:57:00Z', calls24h: 5, errors24h: 2 }, now)).toEqual({
    lastUsed: 'Used 3 minutes ago',
    calls: '5 calls in 24 h, 2 failed',
    tone: 'warn',
  });
  expect(healthAtAGlance({ lastUsedAt: '2026-05-01T11:57:00Z', calls24h: 1, errors24h: 0 }, now).tone).toBe(
    'ok',
  );
  expect(healthAtAGlance({ lastUsedAt: '2026-05-01T11:57:00Z', calls24h: 2, errors24h: 2 }, now).tone).toBe(
    'bad',
  );
  expect(healthAtAGlance({ lastUsedAt: '2026-04-20T11:57:00Z', calls24h: 0, errors24h: 0 }, now).calls).toBe(
    'No calls in 24 h',
  );
});
