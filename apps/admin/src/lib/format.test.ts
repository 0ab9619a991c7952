import { relativeTime, userLabel } from './format';

const NOW = Date.parse('2026-05-01T12:00:00Z');

test('relative times read naturally', () => {
  expect(relativeTime('2026-05-01T11:59:50Z', NOW)).toBe('just now');
  expect(relativeTime('2026-05-01T11:57:00Z', NOW)).toBe('3 minutes ago');
  expect(relativeTime('2026-05-01T14:00:00Z', NOW)).toBe('in 2 hours');
  expect(relativeTime('2026-04-30T12:00:00Z', NOW)).toBe('yesterday');
  expect(relativeTime(null, NOW)).toBe('—');
});

test('users by display name, else email', () => {
  expect(userLabel({ displayName: 'Ada', email: 'ada@x.test' })).toBe('Ada');
  expect(userLabel({ displayName: '', email: 'ada@x.test' })).toBe('ada@x.test');
  expect(userLabel(null)).toBe('—');
});
