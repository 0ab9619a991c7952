import { missingScopes } from '@connections/auth-flows';
import { AuthorizationEventType } from '@connections/schema';
import type { AuthorizationEvents, EventInput, EventTx } from './authorization-events';

/** Authorizations that hold a grant: only these can be missing scopes (a pending or revoked one has none). */
const GRANTED = ['CONNECTED', 'REFRESHING', 'REFRESH_FAILED', 'NEEDS_REAUTH'];

/**
 * The connection's requested scopes an authorization was not granted: the one home of `missingScopes`.
 * Granted scopes come from the token response (RFC 6749 section 5.1: an absent `scope` means the requested
 * ones were granted, and on refresh, section 6, the original grant). Derived, never stored: after a
 * connection's scopes change the gap shows by itself until the authorization is renewed.
 */
export function scopeGap(
  requested: readonly string[] | undefined,
  authorization: { status: string; grantedScopes: readonly string[] },
): string[] {
  if (!requested?.length || !GRANTED.includes(authorization.status)) return [];
  return missingScopes(requested, authorization.grantedScopes);
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((s) => b.includes(s));

/**
 * Records SCOPES_MISSING in the transaction when a grant left requested scopes out. An authorization always
 * reports its gap (the user just consented and should hear what is missing); a refresh only when the gap
 * changed (`previous`, the grant it replaces): a provider that keeps granting the same fewer scopes must not
 * add an event to every refresh.
 */
export async function recordScopeGap(
  events: AuthorizationEvents,
  tx: EventTx,
  e: Omit<EventInput, 'type' | 'message'> & {
    requested: readonly string[] | undefined;
    granted: readonly string[];
    previous?: readonly string[];
  },
): Promise<void> {
  const { requested, granted, previous, ...event } = e;
  const gap = scopeGap(requested, { status: 'CONNECTED', grantedScopes: granted });
  if (gap.length === 0) return;
  if (previous && sameSet(gap, scopeGap(requested, { status: 'CONNECTED', grantedScopes: previous }))) return;
  await events.record(tx, {
    ...event,
    type: AuthorizationEventType.SCOPES_MISSING,
    message: `${event.connection.linkName} was granted without ${gap.join(', ')}: reconnect to grant ${gap.length > 1 ? 'them' : 'it'}`,
  });
}
