import {
  applyEvent,
  emptyLiveStatus,
  isDeleted,
  liveStatusOf,
  principalFor,
  statusAdvice,
  type StatusEvent,
  type StatusRow,
} from './connectionStatus';

const ME = 'user-me';
const OWNER = 'user-owner';
const OTHER = 'user-other';

const row = (over: Partial<StatusRow> = {}): StatusRow => ({
  id: 'c1',
  status: 'PENDING',
  useLoginUserCredentials: false,
  updatedAt: '2026-01-01T10:00:00.000Z',
  owner: { id: OWNER },
  authorization: { status: 'PENDING', updatedAt: '2026-01-01T10:00:00.000Z', principal: { id: OWNER } },
  ...over,
});
let n = 0;
const event = (over: Partial<StatusEvent> = {}): StatusEvent => ({
  id: `e${++n}`,
  type: 'AUTHORIZED',
  connectionId: 'c1',
  status: 'CONNECTED',
  attemptId: null,
  at: '2026-01-01T10:00:05.000Z',
  message: '',
  principal: { id: OWNER },
  ...over,
});

describe('the live status reducer', () => {
  test('an event for the authorization a row uses changes its status', () => {
    const s = applyEvent(emptyLiveStatus(), event());
    expect(liveStatusOf(row(), ME, s)).toBe('CONNECTED');
  });

  test('owner-credential rows follow the owner’s authorization, whoever views them', () => {
    expect(principalFor(row(), ME)).toBe(OWNER);
    const s = applyEvent(emptyLiveStatus(), event({ principal: { id: ME } }));
    expect(liveStatusOf(row(), ME, s)).toBe('PENDING');
  });

  test('login-user rows follow the viewer’s own authorization, not a colleague’s', () => {
    const r = row({ useLoginUserCredentials: true, status: 'NOT_CONNECTED', authorization: null });
    let s = applyEvent(emptyLiveStatus(), event({ principal: { id: OTHER } }));
    expect(liveStatusOf(r, ME, s)).toBe('NOT_CONNECTED');
    s = applyEvent(s, event({ principal: { id: ME } }));
    expect(liveStatusOf(r, ME, s)).toBe('CONNECTED');
  });

  test('a row that carries its authorization follows the principal the server named', () => {
    const r = row({
      useLoginUserCredentials: true,
      authorization: { status: 'PENDING', updatedAt: '2026-01-01T10:00:00.000Z', principal: { id: ME } },
    });
    expect(principalFor(r, ME)).toBe(ME);
    expect(principalFor(row({ authorization: null }), ME)).toBe(OWNER);
    expect(liveStatusOf(r, ME, applyEvent(emptyLiveStatus(), event({ principal: { id: ME } })))).toBe(
      'CONNECTED',
    );
  });

  test('an older event does not overwrite a newer one', () => {
    let s = applyEvent(
      emptyLiveStatus(),
      event({ type: 'REVOKED', status: 'REVOKED', at: '2026-01-01T10:00:09.000Z' }),
    );
    s = applyEvent(s, event({ at: '2026-01-01T10:00:05.000Z' }));
    expect(liveStatusOf(row(), ME, s)).toBe('REVOKED');
  });

  test('a row read after the event wins over it', () => {
    const s = applyEvent(emptyLiveStatus(), event());
    const reread = row({
      status: 'REVOKED',
      authorization: { status: 'REVOKED', updatedAt: '2026-01-01T10:01:00.000Z', principal: { id: OWNER } },
    });
    expect(liveStatusOf(reread, ME, s)).toBe('REVOKED');
  });

  test('a redelivered event is applied once', () => {
    const e = event();
    const once = applyEvent(emptyLiveStatus(), e);
    expect(applyEvent(once, e)).toBe(once);
  });

  test('DELETED marks the connection gone', () => {
    const s = applyEvent(emptyLiveStatus(), event({ type: 'DELETED', status: 'REVOKED' }));
    expect(isDeleted(s, 'c1')).toBe(true);
    expect(isDeleted(s, 'c2')).toBe(false);
  });
});

test('every status that needs action says what to do', () => {
  expect(statusAdvice('CONNECTED', true)).toBeNull();
  expect(statusAdvice('NEEDS_REAUTH', true)).toMatch(/Reconnect/);
  expect(statusAdvice('FAILED', true)).toMatch(/redirect URI/);
  expect(statusAdvice('FAILED', false)).toMatch(/ask an admin/);
  expect(statusAdvice('NOT_CONNECTED', false)).toMatch(/Connect/);
});
