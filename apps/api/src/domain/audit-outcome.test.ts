import { auditKind, auditOutcome } from './audit-outcome';

test('kinds by action', () => {
  expect(auditKind('connection.invoked')).toBe('INVOCATION');
  expect(auditKind('authorization.REFRESHED')).toBe('AUTHORIZATION');
  expect(auditKind('connection.created')).toBe('CHANGE');
  expect(auditKind('user.sign_in_failed')).toBe('CHANGE');
});

test('calls: 2xx/3xx succeed; upstream errors, refusals and network errors fail', () => {
  expect(auditOutcome('connection.invoked', { outcome: '2xx', status: '200' })).toBe('SUCCESS');
  expect(auditOutcome('connection.invoked', { outcome: '3xx', status: '304' })).toBe('SUCCESS');
  expect(auditOutcome('connection.invoked', { outcome: '4xx', status: '404' })).toBe('FAILURE');
  expect(auditOutcome('connection.invoked', { outcome: 'NEEDS_AUTHORIZATION' })).toBe('FAILURE');
  expect(auditOutcome('connection.invoked', { outcome: 'ABORTED', status: '200' })).toBe('FAILURE');
  expect(auditOutcome('connection.invoked', { status: '200' })).toBe('SUCCESS');
  expect(auditOutcome('connection.invoked', null)).toBe('FAILURE');
});

test('authorizations and changes', () => {
  expect(auditOutcome('authorization.AUTHORIZED')).toBe('SUCCESS');
  expect(auditOutcome('authorization.NEEDS_REAUTH')).toBe('FAILURE');
  expect(auditOutcome('authorization.SCOPES_MISSING')).toBe('FAILURE');
  expect(auditOutcome('authorization.REVOKED')).toBeNull();
  expect(auditOutcome('connection.created')).toBe('SUCCESS');
  expect(auditOutcome('user.sign_in_failed')).toBe('FAILURE');
  expect(auditOutcome('connection.expired')).toBeNull();
});
