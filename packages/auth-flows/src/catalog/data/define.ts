import type { CatalogEntry, TestRequest } from '../../types';

/** A catalog entry before the catalog marks where it came from. */
export type Builtin = Omit<CatalogEntry, 'source'>;

/**
 * Where an API key goes: `bearer` is `Authorization: Bearer <key>`; `basic` means the service takes
 * Basic credentials (RFC 7617) instead of a key; otherwise a named header (with an optional prefix) or
 * query parameter.
 */
export type KeyPlacement = 'bearer' | 'basic' | { header: string; prefix?: string } | { query: string };

/**
 * One API-key or Basic service, as reviewers read it: the provider's documented API host, the cheap
 * request that tells a working credential from a rejected one, and the page that says how to get one.
 */
export interface KeyedRecord {
  slug: string;
  displayName: string;
  auth: KeyPlacement;
  apiBaseUrls: string[];
  /** A GET path relative to the first API base URL (no leading slash: it would drop the base's path). */
  test: string | TestRequest;
  docsUrl: string;
  labels?: CatalogEntry['credentialLabels'];
}

function placement(
  auth: KeyPlacement,
): Pick<Builtin, 'authType' | 'paramType' | 'apiKeyParamName' | 'apiKeyPrefix'> {
  if (auth === 'basic') return { authType: 'BASIC', paramType: 'HEADERS' };
  if (auth === 'bearer')
    return {
      authType: 'API_KEY',
      paramType: 'HEADERS',
      apiKeyParamName: 'Authorization',
      apiKeyPrefix: 'Bearer ',
    };
  if ('query' in auth) return { authType: 'API_KEY', paramType: 'QUERY_STRING', apiKeyParamName: auth.query };
  return {
    authType: 'API_KEY',
    paramType: 'HEADERS',
    apiKeyParamName: auth.header,
    apiKeyPrefix: auth.prefix,
  };
}

/** The catalog entry of a keyed record: no OAuth fields, no scopes. */
export function keyedEntry(record: KeyedRecord): Builtin {
  const entry: Builtin = {
    slug: record.slug,
    displayName: record.displayName,
    ...placement(record.auth),
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    apiBaseUrls: record.apiBaseUrls,
    testRequest: typeof record.test === 'string' ? { method: 'GET', url: record.test } : record.test,
    docsUrl: record.docsUrl,
  };
  if (record.labels) entry.credentialLabels = record.labels;
  if (entry.apiKeyPrefix === undefined) delete entry.apiKeyPrefix;
  return entry;
}
