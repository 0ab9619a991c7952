import { addressMismatch, popupClosedReason } from './deployment';

test('the same origin, or nothing known: no mismatch', () => {
  expect(addressMismatch('http://localhost:4000', 'http://localhost:4000')).toBeNull();
  expect(addressMismatch('http://localhost:4000/', 'http://localhost:4000')).toBeNull();
  expect(addressMismatch(null, 'http://localhost:4000')).toBeNull();
  expect(addressMismatch('not a url', 'http://localhost:4000')).toBeNull();
});

test('127.0.0.1 vs localhost: both addresses and both fixes, exactly', () => {
  const m = addressMismatch('http://127.0.0.1:4000', 'http://localhost:4000', '/connections');
  expect(m).toMatchObject({ opened: 'http://localhost:4000', expected: 'http://127.0.0.1:4000' });
  expect(m!.message).toContain('open at http://localhost:4000');
  expect(m!.message).toContain('PUBLIC_URL is http://127.0.0.1:4000');
  expect(m!.fixes[0]).toBe('Open the console at http://127.0.0.1:4000/connections');
  expect(m!.fixes[1]).toContain('PUBLIC_URL=http://localhost:4000');
});

test('a proxy in front (https host) while PUBLIC_URL is unset (localhost)', () => {
  const m = addressMismatch('http://localhost:4000', 'https://connections.example.com');
  expect(m!.fixes[1]).toContain('PUBLIC_URL=https://connections.example.com');
});

test('a popup that closed without a word says why when the authorize URL is elsewhere', () => {
  expect(popupClosedReason('http://127.0.0.1:4000/oauth/connect/a1', 'http://localhost:4000')).toMatch(
    /PUBLIC_URL is http:\/\/127\.0\.0\.1:4000/,
  );
  expect(popupClosedReason('http://localhost:4000/oauth/connect/a1', 'http://localhost:4000')).toBeNull();
  expect(popupClosedReason(null, 'http://localhost:4000')).toBeNull();
});
