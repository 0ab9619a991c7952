import { AuthFlowError } from '../errors';
import { SUBDOMAIN_PLACEHOLDER, type ServiceDefinition } from '../types';

// A label-only placeholder (`https://[subdomain].zendesk.com`) takes DNS labels; a whole-host one
// (`https://[subdomain]/protocol/...`, Keycloak and Mastodon) takes a host, an optional port and path.
const LABELS = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const HOST_AND_PATH =
  /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?(?:\/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*$/i;

function fill(template: string, value: string): string {
  const wholeHost =
    template.includes(`//${SUBDOMAIN_PLACEHOLDER}/`) || template.endsWith(`//${SUBDOMAIN_PLACEHOLDER}`);
  const pattern = wholeHost ? HOST_AND_PATH : LABELS;
  if (!pattern.test(value)) {
    throw new AuthFlowError('INVALID_SERVICE', 'The subdomain is not a valid host name for this service');
  }
  return template.split(SUBDOMAIN_PLACEHOLDER).join(value);
}

/**
 * Returns the service with every `[subdomain]` placeholder filled in. The value is checked against the
 * URL it lands in, so a subdomain can never move a URL to another host (`evil.com/`, `x@evil.com`).
 */
export function resolveSubdomain<T extends ServiceDefinition>(service: T, subdomain: string | undefined): T {
  if (!service.subdomain) return service;
  if (!subdomain) throw new AuthFlowError('INVALID_SERVICE', `${service.displayName} needs a subdomain`);
  const value = subdomain.trim();
  const sub = (url: string | undefined) => (url === undefined ? undefined : fill(url, value));
  const resolved: T = {
    ...service,
    authorizeUrl: sub(service.authorizeUrl),
    accessTokenUrl: sub(service.accessTokenUrl),
    requestTokenUrl: sub(service.requestTokenUrl),
    refreshUrl: sub(service.refreshUrl),
    revokeUrl: sub(service.revokeUrl),
    profileUrl: sub(service.profileUrl),
    apiBaseUrls: service.apiBaseUrls.map((url) => fill(url, value)),
    testRequest: service.testRequest && { ...service.testRequest, url: fill(service.testRequest.url, value) },
    subdomain: false,
  };
  for (const key of Object.keys(resolved) as (keyof T)[])
    if (resolved[key] === undefined) delete resolved[key];
  return resolved;
}

/** True when some URL of the service still carries the placeholder. */
export function hasUnresolvedSubdomain(service: ServiceDefinition): boolean {
  return [
    service.authorizeUrl,
    service.accessTokenUrl,
    service.requestTokenUrl,
    service.refreshUrl,
    service.revokeUrl,
    service.profileUrl,
    service.testRequest?.url,
    ...service.apiBaseUrls,
  ].some((url) => url?.includes(SUBDOMAIN_PLACEHOLDER));
}
