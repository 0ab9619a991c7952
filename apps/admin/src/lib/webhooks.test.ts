import {
  attemptSummary,
  canRedeliver,
  hasPending,
  toCreateWebhookInput,
  typesLabel,
  webhookErrors,
  webhookUrlProblem,
} from './webhooks';

test('the URL must be a full http(s) URL', () => {
  expect(webhookUrlProblem('  ')).toMatch(/Enter the URL/);
  expect(webhookUrlProblem('example.com/hook')).toMatch(/full URL/);
  expect(webhookUrlProblem('ftp://example.com/hook')).toMatch(/http\(s\)/);
  expect(webhookUrlProblem(' https://example.com/hook ')).toBeNull();
  expect(webhookUrlProblem('http://127.0.0.1:8080/hook')).toBeNull();
});

test('no type chosen sends every type; chosen types go in a stable order', () => {
  expect(toCreateWebhookInput({ url: ' https://x.test/h ', types: [] })).toEqual({
    url: 'https://x.test/h',
    types: undefined,
  });
  expect(toCreateWebhookInput({ url: 'https://x.test/h', types: ['REVOKED', 'AUTHORIZED'] }).types).toEqual([
    'AUTHORIZED',
    'REVOKED',
  ]);
});

test('types and attempts in words', () => {
  expect(typesLabel(null)).toBe('All events');
  expect(typesLabel([])).toBe('All events');
  expect(typesLabel(['NEEDS_REAUTH', 'REVOKED'])).toBe('NEEDS_REAUTH, REVOKED');
  expect(attemptSummary({ lastStatus: 200, durationMs: 35 })).toBe('HTTP 200 · 35 ms');
  expect(attemptSummary({ lastStatus: null, durationMs: 10_000 })).toBe('10000 ms');
  expect(attemptSummary({ lastStatus: null, durationMs: null })).toBe('—');
});

test('only ended deliveries can be redelivered', () => {
  expect(canRedeliver({ status: 'DELIVERED' })).toBe(true);
  expect(canRedeliver({ status: 'FAILED' })).toBe(true);
  expect(canRedeliver({ status: 'PENDING' })).toBe(false);
  expect(canRedeliver({ status: 'IN_FLIGHT' })).toBe(false);
});

test('a refused address is told under the URL, other errors in a notice', () => {
  const refused = webhookErrors({
    graphQLErrors: [
      {
        message: 'url: 10.0.0.1 is a private address',
        extensions: { code: 'HOST_NOT_ALLOWED', field: 'url' },
      },
    ],
  });
  expect(refused.url).toBe(
    'This server does not send webhooks to that address (10.0.0.1 is a private address).',
  );
  expect(refused.notice).toBeNull();

  const invalid = webhookErrors({
    graphQLErrors: [{ message: 'url: use https', extensions: { code: 'BAD_USER_INPUT', field: 'url' } }],
  });
  expect(invalid).toEqual({ url: 'use https', notice: null });

  const forbidden = webhookErrors({ graphQLErrors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] });
  expect(forbidden.url).toBeNull();
  expect(forbidden.notice?.code).toBe('FORBIDDEN');
  expect(webhookErrors({ networkError: new Error('down'), graphQLErrors: [] }).notice?.code).toBe('NETWORK');
  expect(webhookErrors(null)).toEqual({ url: null, notice: null });
});

test('the log is read again while a delivery is pending or being sent', () => {
  expect(hasPending([{ status: 'DELIVERED' }, { status: 'FAILED' }])).toBe(false);
  expect(hasPending([{ status: 'DELIVERED' }, { status: 'PENDING' }])).toBe(true);
  expect(hasPending([{ status: 'IN_FLIGHT' }])).toBe(true);
  expect(hasPending([])).toBe(false);
});
