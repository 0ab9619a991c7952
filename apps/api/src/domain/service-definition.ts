import { ENDPOINT_URL_FIELDS, hasUnresolvedSubdomain, type ServiceDefinition } from '@connections/auth-flows';
import type { CreateCustomServiceInput, UpdateServiceInput } from '@connections/schema';
import type { ServiceRow } from '../db/entities';

/**
 * A custom service's fields as an admin types them in: the GraphQL inputs without the id and the OAuth
 * client. null clears an optional field; on update, a field left out keeps its value.
 */
export type CustomServiceFields = Omit<UpdateServiceInput, 'id' | 'clientId' | 'clientSecret'> &
  Partial<Pick<CreateCustomServiceInput, 'authType' | 'grantType'>>;

/** The definition of a CUSTOM row: the one mapping from stored columns to the service's shape. */
export function definitionOfCustomRow(row: ServiceRow): ServiceDefinition {
  return {
    slug: row.slug,
    displayName: row.name ?? row.slug,
    authType: row.authType!,
    paramType: row.paramType!,
    authorizeUrl: row.authorizeUrl ?? undefined,
    accessTokenUrl: row.accessTokenUrl ?? undefined,
    requestTokenUrl: row.requestTokenUrl ?? undefined,
    refreshUrl: row.refreshUrl ?? undefined,
    revokeUrl: row.revokeUrl ?? undefined,
    profileUrl: row.profileUrl ?? undefined,
    // A custom service requests every scope it lists: there is no separate default set to keep.
    scopes: row.scopes ?? [],
    defaultScopes: row.scopes ?? [],
    scopeDelimiter: row.scopeDelimiter ?? ' ',
    apiBaseUrls: row.apiBaseUrls ?? [],
    apiKeyParamName: row.apiKeyParamName ?? undefined,
    authorizeParams: row.authorizeParams ?? undefined,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod ?? undefined,
    // Stored only when off: the definition says nothing when the default applies.
    pkce: row.pkce === false ? false : undefined,
    grantType: row.grantType ?? undefined,
    tokenParams: row.tokenParams ?? undefined,
  };
}

/** The columns a (validated) definition is stored in: the one mapping back to the row. */
export function columnsOf(def: ServiceDefinition): Partial<ServiceRow> {
  return {
    name: def.displayName,
    authType: def.authType,
    paramType: def.paramType,
    authorizeUrl: def.authorizeUrl ?? null,
    accessTokenUrl: def.accessTokenUrl ?? null,
    requestTokenUrl: def.requestTokenUrl ?? null,
    refreshUrl: def.refreshUrl ?? null,
    revokeUrl: def.revokeUrl ?? null,
    profileUrl: def.profileUrl ?? null,
    scopes: def.scopes,
    scopeDelimiter: def.scopeDelimiter,
    apiBaseUrls: def.apiBaseUrls,
    apiKeyParamName: def.apiKeyParamName ?? null,
    authorizeParams: def.authorizeParams ?? null,
    tokenEndpointAuthMethod: def.tokenEndpointAuthMethod ?? null,
    pkce: def.pkce === false ? false : null,
    // authorization_code is the default: stored as nothing.
    grantType: def.grantType === 'client_credentials' ? 'client_credentials' : null,
    tokenParams: def.tokenParams ?? null,
  };
}

/**
 * Lays an admin's fields over a definition, not yet validated: strings are trimmed, a blank or null
 * optional field means "none", scopes are deduplicated, and fields left out keep the base's value.
 */
export function withCustomFields(
  base: ServiceDefinition,
  input: Partial<CustomServiceFields>,
): ServiceDefinition {
  const def: ServiceDefinition = { ...base };
  if (typeof input.name === 'string') def.displayName = input.name.trim();
  if (input.authType) def.authType = input.authType;
  if (input.paramType) def.paramType = input.paramType;
  for (const key of ENDPOINT_URL_FIELDS)
    if (input[key] !== undefined) def[key] = input[key]?.trim() || undefined;
  if (input.scopes !== undefined) {
    const scopes = [...new Set((input.scopes ?? []).map((s) => s.trim()))];
    def.scopes = scopes;
    def.defaultScopes = scopes;
  }
  if (input.scopeDelimiter !== undefined) def.scopeDelimiter = input.scopeDelimiter ?? ' ';
  if (input.apiBaseUrls !== undefined) def.apiBaseUrls = (input.apiBaseUrls ?? []).map((u) => u.trim());
  if (input.apiKeyParamName !== undefined) def.apiKeyParamName = input.apiKeyParamName?.trim() || undefined;
  if (input.authorizeParams !== undefined) def.authorizeParams = nonEmpty(input.authorizeParams);
  if (input.tokenEndpointAuthMethod !== undefined)
    def.tokenEndpointAuthMethod = input.tokenEndpointAuthMethod ?? undefined;
  // true is the default: stored as nothing, so only a service that turned PKCE off says so.
  if (input.pkce !== undefined && input.pkce !== null) def.pkce = input.pkce ? undefined : false;
  if (input.grantType)
    def.grantType = input.grantType === 'client_credentials' ? 'client_credentials' : undefined;
  if (input.tokenParams !== undefined) def.tokenParams = nonEmpty(input.tokenParams);
  return def;
}

/** An empty map of authorize parameters is no map; anything but a map is left for the validator. */
function nonEmpty(params: Record<string, string> | null): Record<string, string> | undefined {
  if (params === null) return undefined;
  const isMap = typeof params === 'object' && !Array.isArray(params);
  return isMap && Object.keys(params).length === 0 ? undefined : params;
}

/**
 * A catalog service with the workspace's API base URLs in place of the catalog's (a regional or self-hosted
 * variant). Invocations, test requests and the /proxy route all read the definition through here, so the
 * override holds everywhere. An absolute test request under one of the catalog's base URLs moves with them
 * (relative ones already resolve against the first base URL); a [subdomain] that only the replaced URLs
 * carried is no longer asked for.
 */
export function withApiBaseUrlOverride<T extends ServiceDefinition>(
  entry: T,
  override: readonly string[] | null | undefined,
): T {
  if (!override || override.length === 0) return entry;
  const def: T = { ...entry, apiBaseUrls: [...override] };
  const test = entry.testRequest;
  const oldBase = test && entry.apiBaseUrls.find((base) => test.url.startsWith(base));
  if (test && oldBase) def.testRequest = { ...test, url: test.url.slice(oldBase.length) };
  if (entry.subdomain && !hasUnresolvedSubdomain(def)) def.subdomain = false;
  return def;
}

/**
 * Whether a service's [subdomain] is the workspace's rather than each connection's. A catalog OAuth service
 * sends the workspace's client secret to its token endpoint on that host, so the host comes with the client,
 * set by an admin (setServiceCredentials), never from a member. API-key and Basic services send only the
 * member's own credentials: each connection names its host (an admin may pin one with an API base URL override).
 */
export function tenantHostIsWorkspaces(def: Pick<ServiceDefinition, 'authType'>): boolean {
  return def.authType === 'OAUTH2' || def.authType === 'OAUTH1';
}
