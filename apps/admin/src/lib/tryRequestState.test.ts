import type { DescribedError } from './errors';
import { initialTry, tryReducer, type TryEvent, type TryState } from './tryRequestState';

type R = { status: number };
const err = (code: string): DescribedError => ({ code, field: null, message: code, connectUrl: null });
const run = (events: TryEvent<R>[], from: TryState<R> = initialTry<R>()) => events.reduce(tryReducer, from);

test('a successful retry clears the old error', () => {
  const s = run([{ type: 'send' }, { type: 'failed', error: err('UPSTREAM_TIMEOUT') }, { type: 'send' }]);
  expect(s).toEqual({ sending: true, response: null, error: null, notice: null });
  expect(run([{ type: 'answered', response: { status: 200 } }], s)).toEqual({
    sending: false,
    response: { status: 200 },
    error: null,
    notice: null,
  });
});

test('a failure clears the previous answer', () => {
  const s = run([
    { type: 'send' },
    { type: 'answered', response: { status: 200 } },
    { type: 'send' },
    { type: 'failed', error: err('HOST_NOT_ALLOWED') },
  ]);
  expect(s.response).toBeNull();
  expect(s.error?.code).toBe('HOST_NOT_ALLOWED');
});

test('Reconnect finishing retires "not authorized yet" and says so', () => {
  const s = run([
    { type: 'send' },
    { type: 'failed', error: err('NEEDS_AUTHORIZATION') },
    { type: 'authorization', status: 'PENDING' },
  ]);
  expect(s.error?.code).toBe('NEEDS_AUTHORIZATION');
  const after = tryReducer(s, { type: 'authorization', status: 'CONNECTED' });
  expect(after.error).toBeNull();
  expect(after.notice).toMatch(/authorized now/);
  // The next send clears the notice too.
  expect(tryReducer(after, { type: 'send' }).notice).toBeNull();
});

test('an authorization change leaves errors that are not about it, and answers, alone', () => {
  const timeout = run([{ type: 'send' }, { type: 'failed', error: err('UPSTREAM_TIMEOUT') }]);
  expect(tryReducer(timeout, { type: 'authorization', status: 'CONNECTED' })).toBe(timeout);
  const answered = run([{ type: 'send' }, { type: 'answered', response: { status: 200 } }]);
  expect(tryReducer(answered, { type: 'authorization', status: 'CONNECTED' })).toBe(answered);
});
