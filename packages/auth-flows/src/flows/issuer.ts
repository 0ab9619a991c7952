import { AuthFlowError } from '../errors';
import type { ServiceDefinition } from '../types';

const mismatch = (service: ServiceDefinition, why: string) =>
  new AuthFlowError(
    'ISSUER_MISMATCH',
    `${service.displayName}: the authorization response ${why}, so it may come from another server (RFC 9207)`,
  );

/** Whether `iss` names the server this flow sent the user to. */
function isExpectedIssuer(service: ServiceDefinition, iss: string): boolean {
  // RFC 9207 section 2.4: a simple string comparison (RFC 3986 section 6.2.1) with the known issuer.
  if (service.issuer) return iss === service.issuer;
  // Without a declared issuer (custom services, most catalog entries) the one thing known about the server
  // is where its authorization endpoint is. An issuer identifier is a URL without query or fragment
  // (RFC 8414 section 2), and every server seen in the wild hosts it on that same origin (Keycloak adds
  // its realm path, Entra a tenant path): a response naming another origin is another server's.
  try {
    const url = new URL(iss);
    if (url.search || url.hash || !service.authorizeUrl) return false;
    return url.origin === new URL(service.authorizeUrl).origin;
  } catch {
    return false;
  }
}

/**
 * RFC 9207: the `iss` parameter of an authorization response (success and error alike) identifies the
 * server that issued it. Checked before the code is used, so a code obtained in a mix-up (the response of
 * another server the same browser talks to) is never sent to this service's token endpoint. Returns the
 * error to end the flow with, or null. OAuth 1.0a has no such parameter.
 */
export function issuerProblem(
  service: ServiceDefinition,
  query: Record<string, unknown>,
): AuthFlowError | null {
  if (service.authType !== 'OAUTH2') return null;
  const iss = query.iss;
  if (iss === undefined)
    // Section 2.4: a server that advertises the parameter always sends it; its absence is the attack.
    return service.issParameterSupported ? mismatch(service, 'does not name its issuer') : null;
  if (typeof iss !== 'string' || !isExpectedIssuer(service, iss))
    return mismatch(service, 'names an unexpected issuer');
  return null;
}
