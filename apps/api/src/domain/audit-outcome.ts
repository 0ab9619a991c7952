/**
 * What kind of thing an audit event records and how it went: the one home of this rule. The writer stores
 * the outcome with the event (so the activity log filters on a column, on SQLite and PostgreSQL alike), and
 * the view derives the kind from the action.
 */
export type AuditKind = 'AUTHORIZATION' | 'INVOCATION' | 'CHANGE';
export type AuditOutcome = 'SUCCESS' | 'FAILURE';

export const INVOCATION_ACTION = 'connection.invoked';
export const AUTHORIZATION_PREFIX = 'authorization.';

export function auditKind(action: string): AuditKind {
  if (action === INVOCATION_ACTION) return 'INVOCATION';
  if (action.startsWith(AUTHORIZATION_PREFIX)) return 'AUTHORIZATION';
  return 'CHANGE';
}

/** Authorization events that mean the connection does not work (yet) for its principal. */
export const FAILED_AUTHORIZATIONS = ['DENIED', 'FAILED', 'REFRESH_FAILED', 'NEEDS_REAUTH', 'SCOPES_MISSING'];
/** Authorization events that are neither: an admin's decision, or a fact to notice. */
export const NEUTRAL_AUTHORIZATIONS = ['REVOKED', 'DELETED', 'ACCOUNT_CHANGED'];

/**
 * SUCCESS or FAILURE, or null for events that are neither. A call succeeded when the upstream answered 2xx or
 * 3xx (the recorded outcome is `2xx`, or its status for older rows); an upstream 4xx/5xx, a refusal
 * (NEEDS_AUTHORIZATION, HOST_NOT_ALLOWED...) or a network error is a failed call.
 */
export function auditOutcome(action: string, metadata?: Record<string, unknown> | null): AuditOutcome | null {
  switch (auditKind(action)) {
    case 'INVOCATION':
      return /^[23]/.test(String(metadata?.outcome ?? metadata?.status ?? '')) ? 'SUCCESS' : 'FAILURE';
    case 'AUTHORIZATION': {
      const type = action.slice(AUTHORIZATION_PREFIX.length);
      if (FAILED_AUTHORIZATIONS.includes(type)) return 'FAILURE';
      return NEUTRAL_AUTHORIZATIONS.includes(type) ? null : 'SUCCESS';
    }
    case 'CHANGE':
      // A recorded change happened; the few recorded refusals say so in their action (user.sign_in_failed).
      if (action.endsWith('_failed')) return 'FAILURE';
      return action === 'connection.expired' ? null : 'SUCCESS';
  }
}
