import type { ConnectionStatus } from '../generated/graphql';
import {
  anyRowAction,
  awaitsViewer,
  connectionActions,
  extensionGroups,
  parseTab,
  relationExplanation,
  relationLabel,
  rowActions,
  type AccessRow,
  type Relation,
  type ViewerCan,
} from './connectionAccess';

const ADA = { id: 'user-ada', email: 'ada@example.com', displayName: 'Ada Lovelace' };
const NONE: ViewerCan = { use: true, connect: false, manage: false };
const CONNECT: ViewerCan = { use: true, connect: true, manage: false };
const MANAGE: ViewerCan = { use: true, connect: true, manage: true };

interface Row extends AccessRow {
  id: string;
  status: ConnectionStatus;
}
const row = (id: string, relation: Relation, over: Partial<Row> = {}): Row => ({
  id,
  relation,
  finished: true,
  status: 'NOT_CONNECTED',
  owner: ADA,
  viewerCan: relation === 'OWN' ? MANAGE : relation === 'OWNER_CREDENTIALS' ? NONE : CONNECT,
  ...over,
});
const statusOf = (r: Row) => r.status;
const ids = (rows: Row[]) => rows.map((r) => r.id);

describe('the buttons of a connection page follow viewerCan', () => {
  test('manage: connect, edit, delete, and revoke once there are credentials', () => {
    expect(connectionActions({ viewerCan: MANAGE }, 'NOT_CONNECTED')).toEqual({
      connect: true,
      revoke: false,
      delete: true,
      edit: true,
    });
    for (const s of ['CONNECTED', 'REFRESHING', 'REFRESH_FAILED'] as const)
      expect(connectionActions({ viewerCan: MANAGE }, s).revoke).toBe(true);
    for (const s of ['PENDING', 'NEEDS_REAUTH', 'REVOKED', 'DENIED', 'FAILED'] as const)
      expect(connectionActions({ viewerCan: MANAGE }, s).revoke).toBe(false);
  });

  test('connect without manage: connect and revoke, never edit or delete', () => {
    expect(connectionActions({ viewerCan: CONNECT }, 'CONNECTED')).toEqual({
      connect: true,
      revoke: true,
      delete: false,
      edit: false,
    });
  });

  test('use only (a member on an owner-credential connection): nothing to press', () => {
    expect(connectionActions({ viewerCan: NONE }, 'CONNECTED')).toEqual({
      connect: false,
      revoke: false,
      delete: false,
      edit: false,
    });
  });

  test('a connection waits for the viewer when they may connect it and it has no working credentials', () => {
    expect(awaitsViewer({ viewerCan: CONNECT }, 'NOT_CONNECTED')).toBe(true);
    expect(awaitsViewer({ viewerCan: CONNECT }, 'NEEDS_REAUTH')).toBe(false);
    expect(awaitsViewer({ viewerCan: NONE }, 'NOT_CONNECTED')).toBe(false);
  });
});

describe('tabs', () => {
  test('the URL names a tab; the former To connect tab opens All; anything else opens Own', () => {
    expect(parseTab('shared')).toBe('shared');
    expect(parseTab('all')).toBe('all');
    expect(parseTab('to-connect')).toBe('all');
    expect(parseTab('')).toBe('own');
    expect(parseTab('nope')).toBe('own');
  });
});

describe('labels by relation', () => {
  test('each relation reads as the issue words it', () => {
    expect(relationLabel(row('a', 'OWN')).text).toBe('Own');
    expect(relationLabel(row('b', 'SHARED')).text).toBe('Shared (you authorized)');
    expect(relationLabel(row('c', 'OWNER_CREDENTIALS')).text).toBe('Runs as Ada Lovelace');
    expect(relationLabel(row('d', 'AVAILABLE')).text).toBe('Connect to use');
  });

  test('an owner without a display name is named by email', () => {
    const r = row('c', 'OWNER_CREDENTIALS', { owner: { ...ADA, displayName: ADA.email } });
    expect(relationLabel(r).text).toBe('Runs as ada@example.com');
  });

  test('a not-finished connection says so, whatever its relation', () => {
    expect(relationLabel(row('a', 'OWN', { finished: false }))).toMatchObject({
      text: 'Not finished',
      tone: 'unfinished',
    });
  });

  test('the connection page explains the relation to those who do not own it', () => {
    expect(relationExplanation(row('a', 'OWN'))).toBeNull();
    expect(relationExplanation(row('c', 'OWNER_CREDENTIALS'))).toBe(
      "Runs with Ada Lovelace's account; you can use it but not change it.",
    );
    expect(relationExplanation(row('c', 'OWNER_CREDENTIALS', { viewerCan: MANAGE }))).toMatch(/As an admin/);
    expect(relationExplanation(row('b', 'SHARED'))).toMatch(/your own account/);
    expect(relationExplanation(row('d', 'AVAILABLE'))).toMatch(/Connect yours/);
  });
});

describe('row actions', () => {
  test('Connect only on an AVAILABLE row still waiting for the viewer', () => {
    expect(rowActions(row('d', 'AVAILABLE'), 'NOT_CONNECTED')).toEqual({
      connect: true,
      resume: false,
      discard: false,
    });
    expect(rowActions(row('d', 'AVAILABLE'), 'CONNECTED').connect).toBe(false);
    expect(rowActions(row('a', 'OWN'), 'NOT_CONNECTED').connect).toBe(false);
    expect(rowActions(row('c', 'OWNER_CREDENTIALS'), 'NOT_CONNECTED').connect).toBe(false);
  });

  test('in a list of what waits for the viewer, their own unconnected rows get Connect too', () => {
    expect(rowActions(row('a', 'OWN'), 'NOT_CONNECTED', true).connect).toBe(true);
    expect(rowActions(row('a', 'OWN'), 'CONNECTED', true).connect).toBe(false);
    expect(rowActions(row('c', 'OWNER_CREDENTIALS'), 'NOT_CONNECTED', true).connect).toBe(false);
    expect(anyRowAction([row('a', 'OWN')], statusOf, true)).toBe(true);
  });

  test('Resume and Discard on a not-finished row, as viewerCan allows', () => {
    expect(rowActions(row('a', 'OWN', { finished: false }), 'PENDING')).toEqual({
      connect: false,
      resume: true,
      discard: true,
    });
    expect(rowActions(row('a', 'OWN', { finished: false, viewerCan: NONE }), 'PENDING')).toEqual({
      connect: false,
      resume: false,
      discard: false,
    });
  });

  test('the action column appears only when some row has a button', () => {
    expect(anyRowAction([row('a', 'OWN'), row('c', 'OWNER_CREDENTIALS')], statusOf)).toBe(false);
    expect(anyRowAction([row('a', 'OWN'), row('d', 'AVAILABLE')], statusOf)).toBe(true);
    expect(anyRowAction([row('a', 'OWN', { finished: false })], statusOf)).toBe(true);
  });
});

describe('an extension’s lists', () => {
  const rows = [
    row('own-new', 'OWN'),
    row('own-done', 'OWN', { status: 'CONNECTED' }),
    row('team-new', 'AVAILABLE'),
    row('team-done', 'SHARED', { status: 'CONNECTED' }),
    // A colleague's owner-credential connection, seen by an admin (who may connect it) or a member (who may not).
    row('colleague-admin', 'OWNER_CREDENTIALS', { viewerCan: MANAGE }),
    row('colleague-member', 'OWNER_CREDENTIALS', { status: 'CONNECTED' }),
  ];

  test('waiting for me, Own, Shared (with the owner-credential connections of others)', () => {
    const g = extensionGroups(rows, statusOf);
    expect(ids(g.toAuthorize)).toEqual(['own-new', 'team-new']);
    expect(ids(g.own)).toEqual(['own-new', 'own-done']);
    expect(ids(g.shared)).toEqual(['team-done', 'colleague-admin', 'colleague-member']);
  });

  test('nothing is offered to connect that the server says the viewer may not connect', () => {
    const denied = rows.map((r) => ({ ...r, viewerCan: NONE }));
    expect(extensionGroups(denied, statusOf).toAuthorize).toEqual([]);
  });

  test('the live status decides, not the row’s', () => {
    const live = (r: Row) => (r.id === 'team-new' ? 'CONNECTED' : r.status);
    const g = extensionGroups(rows, live);
    expect(ids(g.toAuthorize)).toEqual(['own-new']);
    expect(ids(g.shared)).toContain('team-new');
  });
});
