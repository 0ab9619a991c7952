import type { ConnectionStatus } from '../generated/graphql';
import {
  awaitsViewer,
  connectionActions,
  extensionGroups,
  toConnectList,
  type AccessRow,
  type ViewerCan,
} from './connectionAccess';

const ME = 'user-me';
const OTHER = 'user-other';
const NONE: ViewerCan = { use: true, connect: false, manage: false };
const CONNECT: ViewerCan = { use: true, connect: true, manage: false };
const MANAGE: ViewerCan = { use: true, connect: true, manage: true };

interface Row extends AccessRow {
  id: string;
  status: ConnectionStatus;
}
const row = (id: string, over: Partial<Row> = {}): Row => ({
  id,
  status: 'NOT_CONNECTED',
  useLoginUserCredentials: false,
  owner: { id: ME },
  viewerCan: MANAGE,
  ...over,
});
const statusOf = (r: Row) => r.status;
const ids = (rows: Row[]) => rows.map((r) => r.id);

describe('the buttons of a connection page follow viewerCan', () => {
  test('manage: connect, delete, and revoke once there are credentials', () => {
    expect(connectionActions({ viewerCan: MANAGE }, 'NOT_CONNECTED')).toEqual({
      connect: true,
      revoke: false,
      delete: true,
    });
    for (const s of ['CONNECTED', 'REFRESHING', 'REFRESH_FAILED'] as const)
      expect(connectionActions({ viewerCan: MANAGE }, s).revoke).toBe(true);
    for (const s of ['PENDING', 'NEEDS_REAUTH', 'REVOKED', 'DENIED', 'FAILED'] as const)
      expect(connectionActions({ viewerCan: MANAGE }, s).revoke).toBe(false);
  });

  test('connect without manage: connect and revoke, never delete', () => {
    expect(connectionActions({ viewerCan: CONNECT }, 'CONNECTED')).toEqual({
      connect: true,
      revoke: true,
      delete: false,
    });
  });

  test('use only: nothing to press', () => {
    expect(connectionActions({ viewerCan: NONE }, 'CONNECTED')).toEqual({
      connect: false,
      revoke: false,
      delete: false,
    });
  });

  test('a connection waits for the viewer when they may connect it and it has no working credentials', () => {
    expect(awaitsViewer({ viewerCan: CONNECT }, 'NOT_CONNECTED')).toBe(true);
    expect(awaitsViewer({ viewerCan: CONNECT }, 'NEEDS_REAUTH')).toBe(false);
    expect(awaitsViewer({ viewerCan: NONE }, 'NOT_CONNECTED')).toBe(false);
  });
});

describe('lists', () => {
  const rows = [
    row('own-new'),
    row('own-done', { status: 'CONNECTED' }),
    row('team-new', { owner: { id: OTHER }, useLoginUserCredentials: true, viewerCan: CONNECT }),
    row('team-done', {
      owner: { id: OTHER },
      useLoginUserCredentials: true,
      viewerCan: CONNECT,
      status: 'CONNECTED',
    }),
    // A colleague's owner-credential connection, seen by an admin (who may connect it) or a member (who may not).
    row('colleague-admin', { owner: { id: OTHER } }),
    row('colleague-member', { owner: { id: OTHER }, viewerCan: NONE, status: 'CONNECTED' }),
  ];

  test('To connect: colleagues’ login-user connections the viewer has not authorized', () => {
    expect(ids(toConnectList(rows, ME, statusOf))).toEqual(['team-new']);
  });

  test('an extension’s lists: waiting for me, Own, Shared', () => {
    const g = extensionGroups(rows, ME, statusOf);
    expect(ids(g.toAuthorize)).toEqual(['own-new', 'team-new']);
    expect(ids(g.own)).toEqual(['own-new', 'own-done']);
    expect(ids(g.shared)).toEqual(['team-done']);
  });

  test('nothing is offered to connect that the server says the viewer may not connect', () => {
    const denied = rows.map((r) => ({ ...r, viewerCan: NONE }));
    expect(toConnectList(denied, ME, statusOf)).toEqual([]);
    expect(extensionGroups(denied, ME, statusOf).toAuthorize).toEqual([]);
  });

  test('the live status decides, not the row’s', () => {
    const live = (r: Row) => (r.id === 'team-new' ? 'CONNECTED' : r.status);
    expect(ids(toConnectList(rows, ME, live))).toEqual([]);
    expect(ids(extensionGroups(rows, ME, live).shared)).toEqual(['team-new', 'team-done']);
  });
});
