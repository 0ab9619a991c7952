import {
  initialResume,
  onConnected,
  onSubscriptionError,
  recordCursor,
  subscriptionVariables,
  type ResumeState,
} from './eventResume';

const connected = (s: ResumeState) => onConnected(s)[0];

test('the first connection is not a reconnect', () => {
  const [state, plan] = onConnected(initialResume());
  expect(plan).toEqual({ action: 'none' });
  expect(state.connectedOnce).toBe(true);
  expect(subscriptionVariables(plan)).toEqual({});
});

test('a reconnect resumes after the last cursor received', () => {
  let s = connected(initialResume());
  s = recordCursor(s, { cursor: 'c1' });
  s = recordCursor(s, { cursor: 'c2' });
  const [, plan] = onConnected(s);
  expect(plan).toEqual({ action: 'resume', after: 'c2' });
  expect(subscriptionVariables(plan)).toEqual({ after: 'c2' });
});

test('the cursor survives several reconnects without events in between', () => {
  let s = recordCursor(connected(initialResume()), { cursor: 'c7' });
  s = onConnected(s)[0];
  expect(onConnected(s)[1]).toEqual({ action: 'resume', after: 'c7' });
});

test('a reconnect before any event has nothing to resume from: resync', () => {
  const s = connected(initialResume());
  expect(onConnected(s)[1]).toEqual({ action: 'resync' });
});

test('recording the same cursor again keeps the state', () => {
  const s = recordCursor(initialResume(), { cursor: 'c1' });
  expect(recordCursor(s, { cursor: 'c1' })).toBe(s);
});

test('CURSOR_EXPIRED forgets the cursor and resyncs; other errors are not resume problems', () => {
  const s = recordCursor(connected(initialResume()), { cursor: 'old' });
  const out = onSubscriptionError(s, [{ extensions: { code: 'CURSOR_EXPIRED' } }]);
  expect(out).toEqual([{ cursor: null, connectedOnce: true }, { action: 'resync' }]);
  expect(onSubscriptionError(s, [{ extensions: { code: 'FORBIDDEN' } }])).toBeNull();
  expect(onSubscriptionError(s, [])).toBeNull();
});
