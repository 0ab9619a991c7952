import {
  attemptReducer,
  initialAttempt,
  isBusy,
  isTerminal,
  type AttemptAction,
  type AttemptState,
} from './attemptProgress';

const run = (...actions: AttemptAction[]): AttemptState =>
  actions.reduce((s, a) => attemptReducer(s, a, 0), initialAttempt());
const started: AttemptAction = { type: 'started', attemptId: 'a1', connectionId: 'c1', popup: true };

describe('the attempt progress reducer', () => {
  test('start -> waiting for the user -> connected', () => {
    const s = run({ type: 'start' }, started, { type: 'outcome', attemptId: 'a1', status: 'CONNECTED' });
    expect(s.phase).toBe('connected');
    expect(s.log.map((l) => l.text)).toEqual([
      'Creating the authorization…',
      'Waiting for you to approve access in the popup window…',
      'Connected.',
    ]);
    expect(isTerminal(s.phase)).toBe(true);
  });

  test('the first outcome wins: the event after the popup message changes nothing', () => {
    const s = run(
      { type: 'start' },
      started,
      { type: 'outcome', attemptId: 'a1', status: 'DENIED', message: 'refused' },
      { type: 'outcome', attemptId: 'a1', status: 'CONNECTED' },
    );
    expect(s).toMatchObject({ phase: 'denied', message: 'refused' });
  });

  test('an outcome of another attempt is ignored', () => {
    const s = run({ type: 'start' }, started, { type: 'outcome', attemptId: 'other', status: 'CONNECTED' });
    expect(s.phase).toBe('awaiting-user');
    expect(isBusy(s.phase)).toBe(true);
  });

  test('a status that is not an outcome (REFRESHING) does not end the attempt', () => {
    expect(
      run({ type: 'start' }, started, { type: 'outcome', attemptId: 'a1', status: 'PENDING' }).phase,
    ).toBe('awaiting-user');
  });

  test('closing the popup early is reported, and a late outcome still lands', () => {
    const closed = run({ type: 'start' }, started, { type: 'popup-closed' });
    expect(closed.phase).toBe('closed');
    expect(attemptReducer(closed, { type: 'outcome', attemptId: 'a1', status: 'CONNECTED' }).phase).toBe(
      'connected',
    );
  });

  test('a popup closed at another address than PUBLIC_URL says so, not "the window was closed"', () => {
    const reason = 'This console is open at http://localhost:4000, but the server’s PUBLIC_URL is …';
    const closed = run({ type: 'start' }, started, { type: 'popup-closed', reason });
    expect(closed.message).toBe(reason);
    expect(closed.log.at(-1)?.text).toBe(reason);
  });

  test('closing the popup after the outcome changes nothing', () => {
    const s = run(
      { type: 'start' },
      started,
      { type: 'outcome', attemptId: 'a1', status: 'FAILED' },
      { type: 'popup-closed' },
    );
    expect(s.phase).toBe('failed');
  });

  test('a blocked popup continues as a redirect; inline credentials connect at once; errors fail', () => {
    expect(run({ type: 'start' }, { ...started, popup: false }, { type: 'redirect' }).phase).toBe(
      'redirecting',
    );
    expect(run({ type: 'start' }, { type: 'connected-inline', connectionId: 'c1' }).phase).toBe('connected');
    expect(run({ type: 'start' }, { type: 'error', message: 'nope' })).toMatchObject({
      phase: 'failed',
      message: 'nope',
    });
    expect(run({ type: 'start' }, { type: 'reset' })).toEqual(initialAttempt());
  });
});
