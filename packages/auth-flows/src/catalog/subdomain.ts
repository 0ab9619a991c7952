import { AuthFlowError } from '../errors';
import { SUBDOMAIN_PLACEHOLDER, type ServiceDefinition } from '../types';

// A label-only placeholder (`https://[subdomain].zendesk.com`) takes DNS labels; a whole-host one
// (`https://[subdomain]/protocol/...`, Keycloak and Mastodon) takes a host, an optional port and path.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const HOST_AND_PATH = /^([^/:]{1,253})(?::(\d{1,5}))?((?:\/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*)$/;

// A label URL parsers read as a number (WHATWG URL section 3.5: decimal, octal, `0x` hex).
const NUMERIC = /^(?:\d+|0x[0-9a-f]*)$/i;

/**
 * A real host name's labels: letters, digits and inner hyphens, never a number (`2130706433`, `0x7f000001`
 * and `127.0.0.1` are IPv4 addresses to a URL parser or a resolver, not names) and never `localhost`. The
 * network guard refuses private addresses after resolution anyway; this keeps the value from naming one.
 */
function hostLabelsOk(labels: string[]): boolean {
  return labels.every((l) => LABEL.test(l) && !NUMERIC.test(l) && l.toLowerCase() !== 'localhost');
}

function validValue(value: string, wholeHost: boolean): boolean {
  if (!wholeHost) return hostLabelsOk(value.split('.'));
  const match = HOST_AND_PATH.exec(value);
  if (!match) return false;
  const labels = match[1]!.split('.');
  // A whole host is a fully qualified name: one bare label would be resolved against local search domains.
  const port = match[2] === undefined ? 443 : Number(match[2]);
  return labels.length >= 2 && hostLabelsOk(labels) && port >= 1 && port <= 65535;
}

function fill(template: string, value: string): string {
  const wholeHost =
    template.includes(`//${SUBDOMAIN_PLACEHOLDER}/`) || template.endsWith(`//${SUBDOMAIN_PLACEHOLDER}`);
  if (!validValue(value, wholeHost)) {
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
