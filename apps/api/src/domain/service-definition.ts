import { ENDPOINT_URL_FIELDS, type ServiceDefinition } from '@connections/auth-flows';
import type { CreateCustomServiceInput, UpdateServiceInput } from '@connections/schema';
import type { ServiceRow } from '../db/entities';

/**
 * A custom service's fields as an admin types them in: the GraphQL inputs without the id and the OAuth
 * client. null clears an optional field; on update, a field left out keeps its value.
 */
export type CustomServiceFields = Omit<UpdateServiceInput, 'id' | 'clientId' | 'clientSecret'> &
  Partial<Pick<CreateCustomServiceInput, 'authType'>>;

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
  for (const key of ENDPOINT_URL_FIELDS) if (input[key] !== undefined) def[key] = input[key]?.trim() || undefined;
  if (input.scopes !== undefined) {
    const scopes = [...new Set((input.scopes ?? []).map((s) => s.trim()))];
    def.scopes = scopes;
    def.defaultScopes = scopes;
  }
  if (input.scopeDelimiter !== undefined) def.scopeDelimiter = input.scopeDelimiter ?? ' ';
  if (input.apiBaseUrls !== undefined) def.apiBaseUrls = (input.apiBaseUrls ?? []).map((u) => u.trim());
  if (input.apiKeyParamName !== undefined) def.apiKeyParamName = input.apiKeyParamName?.trim() || undefined;
  if (input.authorizeParams !== undefined) def.authorizeParams = nonEmpty(input.authorizeParams);
  return def;
}

/** An empty map of authorize parameters is no map; anything but a map is left for the validator. */
function nonEmpty(params: Record<string, string> | null): Record<string, string> | undefined {
  if (params === null) return undefined;
  const isMap = typeof params === 'object' && !Array.isArray(params);
  return isMap && Object.keys(params).length === 0 ? undefined : params;
}
