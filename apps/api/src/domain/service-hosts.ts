import type { ServiceDefinition } from '@connections/auth-flows';
import { AppError } from '../errors';
import type { EventTx } from './authorization-events';
import type { AuthorizationTransitions } from './authorization-transitions';
import type { Viewer } from './viewer';

const originOf = (url: string | undefined) => {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Where a service sends stored credentials: access tokens, keys and passwords to its API base URLs, the refresh
 * token to the refresh URL (the token URL when it has none, OAuth 2.0 only), any of them to the revoke URL.
 * Returns the fields whose new value reaches an origin the old one did not: an admin moving them would send
 * every member's stored tokens to the new host on the next call. A path or a removed URL sends nothing new.
 */
export function hostBearingChanges(before: ServiceDefinition, after: ServiceDefinition): string[] {
  const refresh = (d: ServiceDefinition) =>
    d.authType === 'OAUTH2' ? (d.refreshUrl ?? d.accessTokenUrl) : undefined;
  const fields: [string, (d: ServiceDefinition) => (string | undefined)[]][] = [
    ['apiBaseUrls', (d) => d.apiBaseUrls],
    [after.refreshUrl ? 'refreshUrl' : 'accessTokenUrl', (d) => [refresh(d)]],
    ['revokeUrl', (d) => [d.revokeUrl]],
  ];
  return fields
    .filter(([, urls]) => {
      const known = new Set(urls(before).map(originOf));
      return urls(after).some((u) => u !== undefined && !known.has(originOf(u)));
    })
    .map(([field]) => field);
}

/**
 * Credentials held for a service must not follow a host change unasked: without the admin's explicit
 * confirmation the change is refused (CONFIRMATION_REQUIRED, naming the fields and the count); with it,
 * those authorizations move to NEEDS_REAUTH in the same transaction as the change. Custom services and the
 * API base URL override of catalog services share this rule.
 */
export async function confirmHostChange(
  rules: { transitions: AuthorizationTransitions },
  tx: EventTx,
  viewer: Viewer,
  service: { id: string; name: string },
  fields: string[],
  confirmed: boolean,
): Promise<void> {
  if (fields.length === 0) return;
  const held = await rules.transitions.serviceHostsChanged(tx, viewer, service, fields, confirmed);
  if (held > 0 && !confirmed)
    throw new AppError(
      'CONFIRMATION_REQUIRED',
      `Changing ${fields.join(', ')} sends credentials to a new host, and ${held} authorization(s) of this service hold credentials: send confirmReauthorization: true to save it and move them to NEEDS_REAUTH (each user reconnects).`,
      { field: 'confirmReauthorization', fields, authorizations: held },
    );
}
