import {
  EXTENSION_KEY_PATTERN,
  LINK_NAME_PATTERN,
  OAuth2GrantType,
  TokenEndpointAuthMethod,
} from '@connections/schema';
import type { AuthType, ParamType } from '../db/entities/service';
import { AppError, badInput } from '../errors';
import { isSemver, MAX_VERSION_LENGTH } from './extension-manifest-semver';

/**
 * An extension as a document: what `exportExtension` writes and `installExtension(manifest)` reads, on this
 * deployment or another. Versioned by `format` + `formatVersion` (the document's shape) and `version` (the
 * extension's own semantic version, which upgrades compare). It never carries a secret: a custom service comes
 * without its client secret, and no connection carries credentials.
 */
export const MANIFEST_FORMAT = 'connections.extension';
export const MANIFEST_FORMAT_VERSION = 1;
export const MAX_DEFINITIONS = 50;

/** A custom service as an admin defines it (createCustomService's fields), without the client secret. */
export interface ManifestCustomService {
  name: string;
  authType: AuthType;
  paramType?: ParamType;
  authorizeUrl?: string;
  accessTokenUrl?: string;
  requestTokenUrl?: string;
  refreshUrl?: string;
  revokeUrl?: string;
  profileUrl?: string;
  scopes?: string[];
  scopeDelimiter?: string;
  apiBaseUrls: string[];
  apiKeyParamName?: string;
  authorizeParams?: Record<string, string>;
  /** OAuth: the client id it was registered with (public: it is in every authorize URL). */
  clientId?: string;
  /** OAUTH2, as createCustomService spells them (the GraphQL enum names); absent: the defaults. */
  grantType?: ManifestGrantType;
  tokenParams?: Record<string, string>;
  pkce?: boolean;
  tokenEndpointAuthMethod?: ManifestTokenAuthMethod;
}

export type ManifestGrantType = keyof typeof OAuth2GrantType;
export type ManifestTokenAuthMethod = keyof typeof TokenEndpointAuthMethod;
export const GRANT_TYPE_NAMES = Object.keys(OAuth2GrantType) as ManifestGrantType[];
export const TOKEN_AUTH_METHOD_NAMES = Object.keys(TokenEndpointAuthMethod) as ManifestTokenAuthMethod[];

export type ManifestService = { catalog: string } | { custom: ManifestCustomService };

export interface ManifestConnection {
  name: string;
  /** The connection's identity across versions: an upgrade matches connections by link name. */
  linkName: string;
  /** Absent: the service's default scopes. */
  scopes?: string[];
  useLoginUserCredentials: boolean;
  service: ManifestService;
}

export interface ExtensionManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_FORMAT_VERSION;
  key: string;
  name: string;
  version: string;
  description: string | null;
  connections: ManifestConnection[];
}

type Json = Record<string, unknown>;

const STRINGS = [
  'name',
  'authorizeUrl',
  'accessTokenUrl',
  'requestTokenUrl',
  'refreshUrl',
  'revokeUrl',
] as const;
const CUSTOM_FIELDS = [
  ...STRINGS,
  ...(['profileUrl', 'scopeDelimiter', 'apiKeyParamName', 'clientId', 'paramType', 'authType'] as const),
  ...(['scopes', 'apiBaseUrls', 'authorizeParams'] as const),
  ...(['grantType', 'tokenParams', 'pkce', 'tokenEndpointAuthMethod'] as const),
];
const AUTH_TYPES: AuthType[] = ['OAUTH2', 'OAUTH1', 'BASIC', 'API_KEY'];
const PARAM_TYPES: ParamType[] = ['HEADERS', 'QUERY_STRING', 'FORM_DATA'];

/** Names people reach for that the document spells otherwise. */
const HINTS: Record<string, string> = {
  tokenUrl: 'did you mean accessTokenUrl?',
  scope: 'did you mean scopes?',
  displayName: 'did you mean name?',
  slug: 'a custom service gets its slug on install; a catalog service is {"catalog": "<slug>"}',
  clientSecret:
    'a manifest never carries a client secret: remove it, and enter the secret with updateService once installed',
};

const bad = (path: string, message: string) => badInput(`manifest${path ? `.${path}` : ''}`, message);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(v: unknown, path: string, allowed: readonly string[]): Json {
  if (!isObject(v)) throw bad(path, 'must be a JSON object');
  for (const k of Object.keys(v))
    if (!allowed.includes(k))
      throw bad(path ? `${path}.${k}` : k, `unknown field${HINTS[k] ? `: ${HINTS[k]}` : ''}`);
  return v;
}

function text(v: unknown, path: string, max: number, opts: { optional?: boolean } = {}): string | undefined {
  if (v === undefined || v === null) {
    if (opts.optional) return undefined;
    throw bad(path, 'is required');
  }
  if (typeof v !== 'string') throw bad(path, 'must be a string');
  const s = v.trim();
  if (!s && !opts.optional) throw bad(path, 'must not be empty');
  if (s.length > max) throw bad(path, `must be at most ${max} characters`);
  return s || undefined;
}

function strings(v: unknown, path: string, max: number): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw bad(path, 'must be a list of strings');
  if (v.length > max) throw bad(path, `must have at most ${max} entries`);
  v.forEach((s, i) => {
    if (typeof s !== 'string') throw bad(`${path}.${i}`, 'must be a string');
  });
  return v as string[];
}

function oneOf<T extends string>(v: unknown, path: string, values: T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T))
    throw bad(path, `must be one of ${values.join(', ')}`);
  return v as T;
}

/** A map of names to strings (authorize or token parameters); what the names may be is checked on install. */
function stringMap(v: unknown, path: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const params = object(v, path, isObject(v) ? Object.keys(v) : []);
  for (const [k, value] of Object.entries(params))
    if (typeof value !== 'string') throw bad(`${path}.${k}`, 'must be a string');
  return params as Record<string, string>;
}

/**
 * The OAUTH2 options, in their shape only: which combinations apply (no PKCE or authorize URL with the client
 * credentials grant, tokenParams only with it, parameters the grant sets itself) is createCustomService's rule,
 * applied on install and reported at the same fields.
 */
function oauth2Options(o: Json, path: string, out: ManifestCustomService): void {
  if (o.grantType !== undefined && o.grantType !== null)
    out.grantType = oneOf(o.grantType, `${path}.grantType`, GRANT_TYPE_NAMES);
  const tokenParams = stringMap(o.tokenParams, `${path}.tokenParams`);
  if (tokenParams) out.tokenParams = tokenParams;
  if (o.pkce !== undefined && o.pkce !== null) {
    if (typeof o.pkce !== 'boolean') throw bad(`${path}.pkce`, 'must be true or false');
    out.pkce = o.pkce;
  }
  if (o.tokenEndpointAuthMethod !== undefined && o.tokenEndpointAuthMethod !== null)
    out.tokenEndpointAuthMethod = oneOf(
      o.tokenEndpointAuthMethod,
      `${path}.tokenEndpointAuthMethod`,
      TOKEN_AUTH_METHOD_NAMES,
    );
}

function header(doc: Json): Omit<ExtensionManifest, 'connections'> {
  if (doc.format !== MANIFEST_FORMAT) throw bad('format', `must be "${MANIFEST_FORMAT}"`);
  if (doc.formatVersion !== MANIFEST_FORMAT_VERSION)
    throw bad(
      'formatVersion',
      typeof doc.formatVersion === 'number' && doc.formatVersion > MANIFEST_FORMAT_VERSION
        ? `this server reads format version ${MANIFEST_FORMAT_VERSION}; the document needs a newer server`
        : `must be ${MANIFEST_FORMAT_VERSION}`,
    );
  const key = text(doc.key, 'key', 80)!;
  if (!EXTENSION_KEY_PATTERN.test(key))
    throw bad('key', 'must be a-z, 0-9, ".", "_" and "-", starting and ending with a-z or 0-9');
  const version = text(doc.version, 'version', MAX_VERSION_LENGTH)!;
  if (!isSemver(version)) throw bad('version', 'must be a semantic version such as 1.2.0 (semver.org)');
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    key,
    name: text(doc.name, 'name', 80)!,
    version,
    description: text(doc.description, 'description', 500, { optional: true }) ?? null,
  };
}

function customService(v: unknown, path: string): ManifestCustomService {
  const o = object(v, path, CUSTOM_FIELDS);
  const out: ManifestCustomService = {
    name: text(o.name, `${path}.name`, 80)!,
    authType: oneOf(o.authType, `${path}.authType`, AUTH_TYPES),
    apiBaseUrls: strings(o.apiBaseUrls, `${path}.apiBaseUrls`, 20) ?? [],
  };
  if (o.paramType !== undefined && o.paramType !== null)
    out.paramType = oneOf(o.paramType, `${path}.paramType`, PARAM_TYPES);
  for (const k of [...STRINGS.slice(1), 'profileUrl', 'apiKeyParamName', 'clientId'] as const) {
    const s = text(o[k], `${path}.${k}`, 2048, { optional: true });
    if (s) out[k] = s;
  }
  // Not trimmed: the standard delimiter is a space.
  if (o.scopeDelimiter !== undefined && o.scopeDelimiter !== null) {
    if (typeof o.scopeDelimiter !== 'string' || o.scopeDelimiter.length > 8)
      throw bad(`${path}.scopeDelimiter`, 'must be a string of at most 8 characters');
    out.scopeDelimiter = o.scopeDelimiter;
  }
  const scopes = strings(o.scopes, `${path}.scopes`, 100);
  if (scopes) out.scopes = scopes;
  const authorizeParams = stringMap(o.authorizeParams, `${path}.authorizeParams`);
  if (authorizeParams) out.authorizeParams = authorizeParams;
  oauth2Options(o, path, out);
  return out;
}

function service(v: unknown, path: string): ManifestService {
  const o = object(v, path, ['catalog', 'custom']);
  const keys = Object.keys(o);
  if (keys.length !== 1)
    throw bad(path, 'must be either {"catalog": "<slug>"} or {"custom": {<custom service definition>}}');
  if (keys[0] === 'catalog') return { catalog: text(o.catalog, `${path}.catalog`, 80)! };
  return { custom: customService(o.custom, `${path}.custom`) };
}

function connection(v: unknown, i: number): ManifestConnection {
  const path = `connections.${i}`;
  const o = object(v, path, ['name', 'linkName', 'scopes', 'useLoginUserCredentials', 'service']);
  const linkName = text(o.linkName, `${path}.linkName`, 50)!;
  if (!LINK_NAME_PATTERN.test(linkName))
    throw bad(`${path}.linkName`, 'must be 1 to 50 characters of a-z, 0-9 and _');
  const login = o.useLoginUserCredentials ?? false;
  if (typeof login !== 'boolean') throw bad(`${path}.useLoginUserCredentials`, 'must be true or false');
  const scopes = strings(o.scopes, `${path}.scopes`, 100);
  return {
    name: text(o.name, `${path}.name`, 50)!,
    linkName,
    ...(scopes ? { scopes } : {}),
    useLoginUserCredentials: login,
    service: service(o.service, `${path}.service`),
  };
}

/**
 * Checks a manifest's shape and returns it normalised (strings trimmed, defaults filled). Errors are
 * BAD_USER_INPUT naming the field inside the document: `manifest.connections.2.service.custom.accessTokenUrl`.
 * What depends on the workspace (catalog slugs, a custom service's URLs and scopes) is checked on install.
 */
export function parseManifest(raw: unknown): ExtensionManifest {
  const doc = object(raw, '', [
    'format',
    'formatVersion',
    'key',
    'name',
    'version',
    'description',
    'connections',
  ]);
  const head = header(doc);
  if (!Array.isArray(doc.connections) || doc.connections.length === 0)
    throw bad('connections', 'must list at least one connection');
  if (doc.connections.length > MAX_DEFINITIONS)
    throw bad('connections', `must list at most ${MAX_DEFINITIONS} connections`);
  const connections = doc.connections.map(connection);
  const seen = new Map<string, number>();
  connections.forEach((c, i) => {
    const first = seen.get(c.linkName);
    if (first !== undefined)
      throw bad(`connections.${i}.linkName`, `"${c.linkName}" is already used by connections.${first}`);
    seen.set(c.linkName, i);
  });
  return { ...head, connections };
}

/**
 * An error about a field of something the manifest describes (a custom service, a connection) named inside
 * the document: `apiBaseUrls[0]` under `connections.2.service.custom` becomes
 * `manifest.connections.2.service.custom.apiBaseUrls.0`.
 */
export function rethrowInManifest(path: string, e: unknown): never {
  if (!(e instanceof AppError) || typeof e.details.field !== 'string') throw e;
  const own = e.details.field;
  const message = e.message.startsWith(`${own}: `) ? e.message.slice(own.length + 2) : e.message;
  const field = `manifest.${path}.${own.replace(/\[(\d+)\]/g, '.$1')}`;
  throw new AppError(e.code, `${field}: ${message}`, { ...e.details, field });
}
