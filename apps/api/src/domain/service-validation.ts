import {
  ENDPOINT_URL_FIELDS,
  type ServiceDefinition,
  type ValidateOptions,
  type ValidationIssue,
  validateScopes,
  validateServiceDefinition,
} from '@connections/auth-flows';
import type { AuthType } from '../db/entities/service';
import { badInput } from '../errors';

/**
 * The rules auth-flows applies to a custom service: http is checked here (`httpIssues`), by deployment, and
 * there is no per-connection subdomain to fill in.
 */
const CUSTOM_SERVICE_RULES: ValidateOptions = { allowHttp: true, allowSubdomain: false };

/** What the deployment allows a custom service's URLs to be: from the config, once. */
export interface CustomUrlPolicy {
  production: boolean;
  allowPrivateNetworks: boolean;
}

// WHATWG URL hostnames are canonical (127.1 and 2130706433 read 127.0.0.1; IPv6 in brackets, compressed).
const isLoopbackHost = (host: string) =>
  host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '[::1]';

/**
 * Plain http in production: the client secret, authorization codes and tokens travel to these URLs, so they
 * must be https (RFC 6749 sections 3.1 and 3.2 require TLS for both endpoints). The one exception is a
 * loopback host when the deployment allows private networks (a sidecar on this machine: nothing crosses a
 * network). Development and test keep http for local upstreams; the network guard still decides what may
 * be reached at call time.
 */
function httpIssues(def: ServiceDefinition, policy: CustomUrlPolicy): ValidationIssue[] {
  if (!policy.production) return [];
  const urls: [string, string | undefined][] = [
    ...ENDPOINT_URL_FIELDS.map((f): [string, string | undefined] => [f, def[f]]),
    ...def.apiBaseUrls.map((u, i): [string, string] => [`apiBaseUrls[${i}]`, u]),
  ];
  const issues: ValidationIssue[] = [];
  for (const [path, value] of urls) {
    let url: URL;
    try {
      url = new URL(value ?? '');
    } catch {
      continue; // absent, or already reported by the validator
    }
    if (url.protocol !== 'http:') continue;
    if (policy.allowPrivateNetworks && isLoopbackHost(url.hostname)) continue;
    issues.push({
      path,
      message: policy.allowPrivateNetworks
        ? 'must use https in production (plain http only for a loopback host)'
        : 'must use https in production',
    });
  }
  return issues;
}

/**
 * The API field an auth-flows issue belongs to. The definition calls the name displayName; the API takes
 * one list of scopes (defaultScopes is the same list) and reports a scope or an authorize parameter at
 * the list, whose message already names the item.
 */
function fieldOf(path: string): string {
  if (path === 'displayName') return 'name';
  if (/^(scopes|defaultScopes)\[\d+\]$/.test(path) || path === 'defaultScopes') return 'scopes';
  if (path.startsWith('authorizeParams.')) return 'authorizeParams';
  if (path.startsWith('tokenParams.')) return 'tokenParams';
  return path;
}

/** The one place an auth-flows validation issue becomes the API's BAD_USER_INPUT; the first one wins. */
function throwFirst(issues: ValidationIssue[], field: (path: string) => string = fieldOf): void {
  const [issue] = issues;
  if (issue) throw badInput(field(issue.path), issue.message);
}

/** Validates a custom service's definition with auth-flows' validator; the error names the API field. */
export function assertValidCustomDefinition(def: ServiceDefinition, policy: CustomUrlPolicy): void {
  throwFirst(validateServiceDefinition(def, CUSTOM_SERVICE_RULES));
  throwFirst(httpIssues(def, policy));
}

/**
 * An admin's replacement API base URLs for a catalog service, under the rules a custom service's obey (the
 * auth-flows validator on a definition that has nothing else, then https in production). Errors name
 * `apiBaseUrls[i]`. Path confinement and the address policy apply at call time, as for every service.
 */
export function assertValidApiBaseUrls(urls: string[], policy: CustomUrlPolicy): void {
  const def: ServiceDefinition = {
    slug: 'override',
    displayName: 'API base URLs',
    authType: 'BASIC',
    paramType: 'HEADERS',
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    apiBaseUrls: urls,
  };
  throwFirst(validateServiceDefinition(def, CUSTOM_SERVICE_RULES));
  throwFirst(httpIssues(def, policy));
}

/** Scopes a connection asks for, trimmed and deduplicated; errors name `field` (the message names the scope). */
export function checkScopes(field: string, scopes: string[], delimiter: string): string[] {
  const trimmed = scopes.map((s) => s.trim());
  throwFirst(validateScopes(trimmed, delimiter, field), () => field);
  return [...new Set(trimmed)];
}

export function checkClientSecret(value: string): string {
  if (!value.trim()) throw badInput('clientSecret', 'must not be empty');
  if (value.length > 4096) throw badInput('clientSecret', 'must be at most 4096 characters');
  return value;
}

/** An OAuth client id, trimmed. */
export function checkClientId(value: string): string {
  if (!value.trim() || value.length > 512) throw badInput('clientId', 'must be 1 to 512 characters');
  return value.trim();
}

/**
 * A custom service's OAuth client: OAuth services need one (the secret may be cleared on update, e.g.
 * after a leak), the others may not have one, or a secret would be stored for nothing and hasClientSecret
 * would claim an OAuth client. Returns the client id to store.
 */
export function checkCustomClient(
  authType: AuthType,
  clientId: string | null | undefined,
  hasClientSecret: boolean,
  opts: { requireClientSecret: boolean },
): string | null {
  if (authType !== 'OAUTH2' && authType !== 'OAUTH1') {
    if (clientId) throw badInput('clientId', 'is only for OAuth services');
    if (hasClientSecret) throw badInput('clientSecret', 'is only for OAuth services');
    return null;
  }
  if (!clientId?.trim()) throw badInput('clientId', `is required for ${authType} services`);
  if (!hasClientSecret && opts.requireClientSecret)
    throw badInput('clientSecret', `is required for ${authType} services`);
  return checkClientId(clientId);
}
