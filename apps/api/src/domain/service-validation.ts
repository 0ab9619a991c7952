import { RESERVED_AUTHORIZE_PARAMS } from '@connections/auth-flows';
import type { AuthType, ParamType } from '../db/entities/service';
import { badInput } from '../errors';

/** The fields of a custom service definition, after merging an update onto the stored row. */
export interface CustomServiceFields {
  name: string;
  authType: AuthType;
  paramType: ParamType;
  authorizeUrl?: string | null;
  accessTokenUrl?: string | null;
  requestTokenUrl?: string | null;
  refreshUrl?: string | null;
  revokeUrl?: string | null;
  profileUrl?: string | null;
  clientId?: string | null;
  hasClientSecret: boolean;
  scopes: string[];
  scopeDelimiter: string;
  apiBaseUrls: string[];
  apiKeyParamName?: string | null;
  authorizeParams?: Record<string, string> | null;
}

const URL_FIELDS = [
  'authorizeUrl',
  'accessTokenUrl',
  'requestTokenUrl',
  'refreshUrl',
  'revokeUrl',
  'profileUrl',
] as const;

const REQUIRED_URLS: Record<AuthType, readonly (typeof URL_FIELDS)[number][]> = {
  OAUTH2: ['authorizeUrl', 'accessTokenUrl'],
  OAUTH1: ['requestTokenUrl', 'authorizeUrl', 'accessTokenUrl'],
  BASIC: [],
  API_KEY: [],
};

export function checkHttpUrl(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length > 2048) throw badInput(field, 'must be at most 2048 characters');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw badInput(field, `must be an absolute http(s) URL, got "${trimmed.slice(0, 100)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badInput(field, `must use http or https, not ${url.protocol.replace(':', '')}`);
  if (url.username || url.password) throw badInput(field, 'must not contain a user name or password');
  if (url.hash) throw badInput(field, 'must not contain a #fragment');
  return trimmed;
}

/**
 * Extra authorize-request parameters: a small map of strings, never one the flow sets itself (grant would
 * let it replace state, PKCE or the client identity). Not for secrets: they travel in the browser's URL.
 */
export function checkAuthorizeParams(value: unknown): Record<string, string> | null {
  if (value == null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw badInput('authorizeParams', 'must be an object of parameter names to string values');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 20) throw badInput('authorizeParams', 'must have at most 20 parameters');
  for (const [key, v] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key))
      throw badInput('authorizeParams', `"${key.slice(0, 64)}" must be 1 to 64 letters, digits, _ . -`);
    if (RESERVED_AUTHORIZE_PARAMS.includes(key))
      throw badInput('authorizeParams', `"${key}" is set by the authorization flow itself`);
    if (typeof v !== 'string' || v.length > 500)
      throw badInput('authorizeParams', `"${key}" must be a string of at most 500 characters`);
  }
  return entries.length ? (value as Record<string, string>) : null;
}

export function checkScopes(field: string, scopes: string[], delimiter: string): string[] {
  const out: string[] = [];
  for (const raw of scopes) {
    const scope = raw.trim();
    if (!scope) throw badInput(field, 'must not contain empty scopes');
    if (scope.length > 200) throw badInput(field, `"${scope.slice(0, 40)}..." is longer than 200 characters`);
    if (/\s/.test(scope) || (delimiter.trim() && scope.includes(delimiter.trim())))
      throw badInput(field, `"${scope}" must not contain white space or the scope delimiter`);
    if (!out.includes(scope)) out.push(scope);
  }
  return out;
}

/** Validates a whole custom service; every error names the field. Returns the normalised fields. */
export function validateCustomService(
  f: CustomServiceFields,
  opts: { requireClientSecret?: boolean } = {},
): CustomServiceFields {
  const name = f.name.trim();
  if (!name || name.length > 80) throw badInput('name', 'must be 1 to 80 characters');
  const out: CustomServiceFields = { ...f, name };
  for (const key of URL_FIELDS) {
    const v = f[key];
    out[key] = v == null || v.trim() === '' ? null : checkHttpUrl(key, v);
  }
  for (const key of REQUIRED_URLS[f.authType])
    if (!out[key]) throw badInput(key, `is required for ${f.authType} services`);
  const oauth = f.authType === 'OAUTH2' || f.authType === 'OAUTH1';
  if (!oauth)
    for (const key of URL_FIELDS)
      if (out[key] && key !== 'revokeUrl') throw badInput(key, `is only for OAuth services`);
  if (oauth) {
    if (!f.clientId?.trim()) throw badInput('clientId', `is required for ${f.authType} services`);
    if (!f.hasClientSecret && opts.requireClientSecret !== false)
      throw badInput('clientSecret', `is required for ${f.authType} services`);
  } else {
    if (f.clientId) throw badInput('clientId', 'is only for OAuth services');
    // Otherwise a secret would be stored for nothing and hasClientSecret would claim an OAuth client.
    if (f.hasClientSecret) throw badInput('clientSecret', 'is only for OAuth services');
  }
  if (f.clientId && f.clientId.length > 512) throw badInput('clientId', 'must be at most 512 characters');
  if (f.authType === 'BASIC' && f.paramType !== 'HEADERS')
    throw badInput('paramType', 'BASIC credentials travel in the Authorization header: use HEADERS');
  if (f.authType === 'API_KEY') {
    const p = f.apiKeyParamName?.trim() ?? '';
    if (!p) throw badInput('apiKeyParamName', 'is required for API_KEY services');
    if (!/^[A-Za-z0-9_.\-[\]]{1,128}$/.test(p))
      throw badInput('apiKeyParamName', 'must be 1 to 128 characters of letters, digits, _ . - [ ]');
    out.apiKeyParamName = p;
  } else if (f.apiKeyParamName) throw badInput('apiKeyParamName', 'is only for API_KEY services');
  out.authorizeParams = checkAuthorizeParams(f.authorizeParams);
  if (out.authorizeParams && !oauth) throw badInput('authorizeParams', 'is only for OAuth services');
  if (!/^(?: |,|\+|;)$/.test(f.scopeDelimiter))
    throw badInput('scopeDelimiter', 'must be one of " ", ",", "+", ";"');
  out.scopes = checkScopes('scopes', f.scopes, f.scopeDelimiter);
  if (f.apiBaseUrls.length === 0)
    throw badInput('apiBaseUrls', 'needs at least one URL: invocations may only reach these hosts');
  out.apiBaseUrls = f.apiBaseUrls.map((u, i) => checkHttpUrl(`apiBaseUrls[${i}]`, u));
  return out;
}

export function checkClientSecret(value: string): string {
  if (!value.trim()) throw badInput('clientSecret', 'must not be empty');
  if (value.length > 4096) throw badInput('clientSecret', 'must be at most 4096 characters');
  return value;
}
