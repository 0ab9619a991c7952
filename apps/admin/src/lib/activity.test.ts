import { activityEntries, activityFilter, activityLine, appendPage, type ActivityEvent } from './activity';

let n = 0;
const ev = (over: Partial<ActivityEvent>): ActivityEvent => ({
  id: `e${++n}`,
  action: 'connection.invoked',
  kind: 'INVOCATION',
  outcome: 'SUCCESS',
  message: '',
  metadata: null,
  createdAt: `2026-01-01T00:00:${String(60 - n).padStart(2, '0')}Z`,
  actor: { id: 'u1', email: 'a@example.com', displayName: 'Ada' },
  ...over,
});

describe('activityLine', () => {
  test('an attempt that was retried says so (invokeUrl retry)', () => {
    const m = { method: 'GET', path: '/x', status: '503', outcome: 'RETRIED', attempt: 1, durationMs: 3 };
    expect(activityLine(ev({ outcome: 'FAILURE', metadata: m })).title).toBe(
      'GET /x: HTTP 503 in 3 ms, attempt 1, retried',
    );
  });

  test('a call in words: method, path, HTTP status and time', () => {
    const line = activityLine(
      ev({
        metadata: {
          method: 'GET',
          host: 'api.example.com',
          path: '/contacts',
          status: '200',
          durationMs: 84,
        },
      }),
    );
    expect(line).toEqual({ title: 'GET /contacts: HTTP 200 in 84 ms', detail: null, tone: 'plain' });
    expect(
      activityLine(ev({ outcome: 'FAILURE', metadata: { method: 'GET', path: '/missing', status: '404' } }))
        .tone,
    ).toBe('bad');
  });

  test('a refused call says why, never "GET invalid/contacts"', () => {
    const line = activityLine(
      ev({
        outcome: 'FAILURE',
        message: 'GET invalid/contacts -> NEEDS_AUTHORIZATION',
        metadata: {
          method: 'GET',
          host: 'invalid',
          path: '/contacts',
          status: 'NEEDS_AUTHORIZATION',
          outcome: 'NEEDS_AUTHORIZATION',
        },
      }),
    );
    expect(line.title).toBe('GET /contacts: not sent: the connection is not authorized for this user');
    expect(line.title).not.toMatch(/invalid/);
    expect(
      activityLine(
        ev({ outcome: 'FAILURE', metadata: { method: 'POST', path: 'x', status: 'SOMETHING_NEW' } }),
      ).title,
    ).toBe('POST x: failed (SOMETHING_NEW)');
  });

  test('authorization events: a title by type, the server’s message as detail', () => {
    expect(
      activityLine(
        ev({
          kind: 'AUTHORIZATION',
          action: 'authorization.REFRESH_FAILED',
          outcome: 'FAILURE',
          message: 'Refreshing crm failed and will be retried: HTTP 503',
        }),
      ),
    ).toEqual({
      title: 'Refreshing the access token failed',
      detail: 'Refreshing crm failed and will be retried: HTTP 503',
      tone: 'bad',
    });
  });

  test('changes: a title by action, the message as detail; unknown actions show the message', () => {
    expect(
      activityLine(
        ev({ kind: 'CHANGE', action: 'connection.created', message: 'Created connection "CRM" (crm) to X' }),
      ),
    ).toMatchObject({ title: 'Connection created', detail: 'Created connection "CRM" (crm) to X' });
    expect(activityLine(ev({ kind: 'CHANGE', action: 'thing.done', message: 'Did a thing' }))).toEqual({
      title: 'Did a thing',
      detail: null,
      tone: 'plain',
    });
  });
});

describe('activityEntries', () => {
  test('identical consecutive events are one line with a count and a time range', () => {
    const refreshed = (over: Partial<ActivityEvent> = {}) =>
      ev({ kind: 'AUTHORIZATION', action: 'authorization.REFRESHED', message: 'Refreshed crm', ...over });
    const events = [
      refreshed(),
      refreshed(),
      refreshed(),
      ev({ metadata: { method: 'GET', path: '/a', status: '200' } }),
      refreshed(),
    ];
    const entries = activityEntries(events);
    expect(entries.map((e) => [e.title, e.count])).toEqual([
      ['Access token refreshed', 3],
      ['GET /a: HTTP 200', 1],
      ['Access token refreshed', 1],
    ]);
    expect(entries[0]!.event.id).toBe(events[0]!.id);
    expect(entries[0]!.since).toBe(events[2]!.createdAt);
  });

  test('the same words by another member, or with another outcome, stay apart', () => {
    const call = { metadata: { method: 'GET', path: '/a', status: '200' } };
    const entries = activityEntries([
      ev(call),
      ev({ ...call, actor: { id: 'u2', email: 'b@example.com', displayName: 'Bo' } }),
    ]);
    expect(entries).toHaveLength(2);
  });
});

test('activityFilter sends only what is chosen', () => {
  expect(activityFilter('c1', { kind: null, outcome: null, actorId: null })).toEqual({ connectionId: 'c1' });
  expect(activityFilter('c1', { kind: 'INVOCATION', outcome: 'FAILURE', actorId: 'u2' })).toEqual({
    connectionId: 'c1',
    kind: 'INVOCATION',
    outcome: 'FAILURE',
    actorId: 'u2',
  });
});

test('appendPage keeps each event once, in order', () => {
  const a = { id: 'a' };
  const b = { id: 'b' };
  const c = { id: 'c' };
  expect(appendPage([a, b], [b, c])).toEqual([a, b, c]);
});
