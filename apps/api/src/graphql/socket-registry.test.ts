import type { Viewer } from '../domain/viewer';
import { AuthenticatedSockets } from './socket-registry';

const viewer = (over: Partial<Viewer>): Viewer => ({
  userId: 'u1',
  workspaceId: 'w',
  role: 'ADMIN',
  authMethod: 'API_TOKEN',
  user: { id: 'u1', email: 'u1@example.com', displayName: 'u1' },
  ...over,
});

function socket(v: Viewer, recheck: () => Promise<Viewer | null> = async () => v) {
  const closed: [number, string][] = [];
  return {
    viewer: v,
    closed,
    entry: { viewer: v, close: (c: number, r: string) => closed.push([c, r]), recheck },
  };
}

test('a revoked token, a signed-out session or a changed user closes exactly the sockets they authenticated (4403)', () => {
  const sockets = new AuthenticatedSockets();
  const byToken = socket(viewer({ apiTokenId: 't1' }));
  const otherToken = socket(viewer({ apiTokenId: 't2' }));
  const bySession = socket(viewer({ authMethod: 'SESSION', sessionId: 's1', userId: 'u2' }));
  for (const s of [byToken, otherToken, bySession]) sockets.add(s.entry);

  sockets.onInvalidate('apiToken', 't1');
  expect(byToken.closed).toEqual([[4403, 'Forbidden']]);
  expect(otherToken.closed).toEqual([]);
  sockets.onInvalidate('session', 's1');
  expect(bySession.closed).toEqual([[4403, 'Forbidden']]);
  sockets.onInvalidate('user', 'u1');
  expect(otherToken.closed).toEqual([[4403, 'Forbidden']]);
  expect(sockets.size).toBe(0);
});

test('a service or connection change closes nothing; a closed socket is forgotten', () => {
  const sockets = new AuthenticatedSockets();
  const s = socket(viewer({ apiTokenId: 't1' }));
  const forget = sockets.add(s.entry);
  sockets.onInvalidate('service', 'x');
  sockets.onInvalidate('connection', 'u1');
  expect(s.closed).toEqual([]);
  forget();
  expect(sockets.size).toBe(0);
});

test('after missed announcements, every socket is checked again: gone or demoted credentials are closed', async () => {
  const sockets = new AuthenticatedSockets();
  const still = socket(viewer({ apiTokenId: 't1' }));
  const revoked = socket(viewer({ apiTokenId: 't2' }), async () => null);
  const demoted = socket(viewer({ apiTokenId: 't3' }), async () =>
    viewer({ apiTokenId: 't3', role: 'MEMBER' }),
  );
  for (const s of [still, revoked, demoted]) sockets.add(s.entry);
  await sockets.recheckAll();
  expect(still.closed).toEqual([]);
  expect(revoked.closed).toEqual([[4403, 'Forbidden']]);
  expect(demoted.closed).toEqual([[4403, 'Forbidden']]);
});

test('every operation re-resolves the socket: gone credentials or another role forbid it; the current viewer follows', async () => {
  const sockets = new AuthenticatedSockets();
  let now: Viewer | null = viewer({ apiTokenId: 't1' });
  const s = socket(viewer({ apiTokenId: 't1' }), async () => now);
  const handle = sockets.track(s.entry);
  now = viewer({ apiTokenId: 't1', user: { id: 'u1', email: 'renamed@example.com', displayName: 'u1' } });
  expect((await handle.refresh())?.user.email).toBe('renamed@example.com');
  expect(handle.current()?.user.email).toBe('renamed@example.com');
  now = viewer({ apiTokenId: 't1', role: 'MEMBER' });
  expect(await handle.refresh()).toBeNull();
  expect(s.closed).toEqual([[4403, 'Forbidden']]);
  // A subscription filtering its events with current() gets nothing more while the socket closes.
  expect(handle.current()).toBeNull();
  expect(sockets.size).toBe(0);
});

test('a socket forbidden by an announcement has no current viewer', () => {
  const sockets = new AuthenticatedSockets();
  const s = socket(viewer({ authMethod: 'SESSION', sessionId: 's1' }));
  const handle = sockets.track(s.entry);
  expect(handle.current()?.sessionId).toBe('s1');
  sockets.onInvalidate('session', 's1');
  expect(handle.current()).toBeNull();
});
