import { ENDPOINT_URL_FIELDS, type ServiceDefinition } from '@connections/auth-flows';
import {
  type CreateCustomServiceInput,
  OAuth2GrantType,
  type Service as ServiceView,
  TokenEndpointAuthMethod,
} from '@connections/schema';
import type { EntityManager } from 'typeorm';
import { ServiceRow } from '../db/entities';
import { AppError, badInput } from '../errors';
import type { CheckedCustomService } from './custom-services';
import type { ExtensionManifest, ManifestCustomService, ManifestService } from './extension-manifest';
import { rethrowInManifest, TOKEN_AUTH_METHOD_NAMES } from './extension-manifest';
import { DEFAULT_ID_PREFIX } from './service-catalog';
import { definitionOfCustomRow } from './service-definition';
import type { ServiceRegistry } from './service-registry';
import { checkScopes } from './service-validation';
import type { Viewer } from './viewer';

type CustomServiceInput = Omit<CreateCustomServiceInput, 'clientSecret'>;

/** A manifest connection's service, checked against this deployment and workspace before anything is written. */
export type CheckedService =
  | { kind: 'catalog'; slug: string; scopes: string[] }
  | { kind: 'custom'; custom: CheckedCustomService; scopes: string[] };

/**
 * Services of manifests: each connection's service as the document names it (a catalog slug, or an embedded
 * custom-service definition without secrets) on export, and the service of this workspace it becomes on
 * install. A custom service is matched to an identical one of the workspace (same protocol definition: auth
 * and param type, every endpoint URL, scopes and delimiter, API base URLs, API key parameter, authorize
 * parameters, OAuth 2.0 grant, token parameters, PKCE and token endpoint authentication; its name and OAuth
 * client are local settings and do not count) or created without a client
 * secret. Matching lets a manifest installed twice, or upgraded, keep the service its authorizations were
 * issued for, and uses the client an admin already configured.
 */
export class ExtensionManifestServices {
  constructor(private readonly registry: ServiceRegistry) {}

  /** The reference a definition's service gets in an exported document; `path` names it in errors. */
  async refOf(workspaceId: string, slug: string, m: EntityManager, path: string): Promise<ManifestService> {
    const row = await m.findOneBy(ServiceRow, { workspaceId, slug, kind: 'CUSTOM' });
    if (row) return { custom: customOf(row) };
    try {
      return { catalog: (await this.registry.find(workspaceId, { id: DEFAULT_ID_PREFIX + slug })).slug };
    } catch (e) {
      if (e instanceof AppError && e.code === 'NOT_FOUND')
        throw new AppError('CONFLICT', `${path}: the service "${slug}" no longer exists in this workspace.`, {
          field: path,
        });
      throw e;
    }
  }

  /** Every connection's service and scopes, checked; errors name the field inside the manifest. */
  async check(viewer: Viewer, manifest: ExtensionManifest): Promise<CheckedService[]> {
    const out: CheckedService[] = [];
    for (const [i, c] of manifest.connections.entries()) {
      const at = `connections.${i}`;
      if ('catalog' in c.service) {
        const view = await this.catalogService(viewer, c.service.catalog, `${at}.service.catalog`);
        const scopes = scopesOf(at, c.scopes ?? view.defaultScopes, view.scopeDelimiter);
        out.push({ kind: 'catalog', slug: view.slug, scopes });
        continue;
      }
      let custom: CheckedCustomService;
      try {
        custom = this.registry.custom.checkWithoutSecret(inputOf(c.service.custom));
      } catch (e) {
        rethrowInManifest(`${at}.service.custom`, e);
      }
      const { defaultScopes, scopeDelimiter } = custom.definition;
      out.push({ kind: 'custom', custom, scopes: scopesOf(at, c.scopes ?? defaultScopes, scopeDelimiter) });
    }
    return out;
  }

  private async catalogService(viewer: Viewer, slug: string, field: string): Promise<ServiceView> {
    let view: ServiceView;
    try {
      view = await this.registry.find(viewer.workspaceId, { id: DEFAULT_ID_PREFIX + slug });
    } catch (e) {
      if (e instanceof AppError && e.code === 'NOT_FOUND')
        throw badInput(`manifest.${field}`, `no catalog service "${slug}" on this server`);
      throw e;
    }
    // Installing creates the connections without asking anyone for a subdomain, so there must be none.
    if (view.needsSubdomain)
      throw badInput(
        `manifest.${field}`,
        `${view.name} needs an account subdomain, which extensions cannot set`,
      );
    return view;
  }

  /**
   * In the install's transaction: the service row of each connection, in the manifest's order. Catalog
   * services get their workspace row; custom ones are matched or created (two connections embedding the same
   * definition share one service).
   */
  async resolve(viewer: Viewer, checked: CheckedService[], m: EntityManager): Promise<ServiceRow[]> {
    const custom = (await m.find(ServiceRow, { where: { workspaceId: viewer.workspaceId, kind: 'CUSTOM' } }))
      // A service whose OAuth client is complete first, then the oldest: the same choice every time.
      .sort((a, b) => rank(a) - rank(b) || +a.createdAt - +b.createdAt || a.id.localeCompare(b.id));
    const rows: ServiceRow[] = [];
    for (const c of checked) {
      if (c.kind === 'catalog') {
        rows.push(await this.registry.rowForConnection(viewer.workspaceId, DEFAULT_ID_PREFIX + c.slug, m));
        continue;
      }
      let row = custom.find((r) => sameDefinition(definitionOfCustomRow(r), c.custom.definition));
      if (!row) custom.push((row = await this.registry.custom.createChecked(viewer, c.custom, m)));
      rows.push(row);
    }
    return rows;
  }
}

const rank = (r: ServiceRow) => (r.clientId && r.clientSecretEncrypted ? 0 : 1);

function scopesOf(at: string, scopes: string[], delimiter: string): string[] {
  try {
    return checkScopes('scopes', scopes, delimiter);
  } catch (e) {
    rethrowInManifest(at, e);
  }
}

/** A custom row as the document carries it: its definition and client id, never the client secret. */
function customOf(row: ServiceRow): ManifestCustomService {
  const d = definitionOfCustomRow(row);
  // Field order as people read a service: what it is, where it authorizes, what it asks for, where it is called.
  const out = { name: d.displayName, authType: d.authType, paramType: d.paramType } as ManifestCustomService;
  for (const k of ENDPOINT_URL_FIELDS) if (d[k]) out[k] = d[k];
  Object.assign(out, { scopes: d.scopes, scopeDelimiter: d.scopeDelimiter, apiBaseUrls: d.apiBaseUrls });
  if (d.apiKeyParamName) out.apiKeyParamName = d.apiKeyParamName;
  if (d.authorizeParams) out.authorizeParams = d.authorizeParams;
  if (row.clientId) out.clientId = row.clientId;
  // Only what differs from createCustomService's defaults, so that a manifest of an authorization-code
  // service with the defaults stays readable by a server that predates these fields.
  if (d.grantType === 'client_credentials') out.grantType = 'CLIENT_CREDENTIALS';
  if (d.tokenParams) out.tokenParams = d.tokenParams;
  if (d.pkce === false) out.pkce = false;
  // Not a default when set: unset, the token request posts the client and the revoke request uses Basic.
  if (d.tokenEndpointAuthMethod)
    out.tokenEndpointAuthMethod = TOKEN_AUTH_METHOD_NAMES.find(
      (k) => TokenEndpointAuthMethod[k] === d.tokenEndpointAuthMethod,
    );
  return out;
}

/**
 * The document's custom service as createCustomService's input: the same field names and values, except the
 * OAuth enums, which the document spells by their GraphQL names (CLIENT_CREDENTIALS) and the input holds by
 * their values (client_credentials).
 */
function inputOf(custom: ManifestCustomService): CustomServiceInput {
  const { grantType, tokenEndpointAuthMethod, ...rest } = custom;
  return {
    ...(rest as unknown as CustomServiceInput),
    ...(grantType ? { grantType: OAuth2GrantType[grantType] } : {}),
    ...(tokenEndpointAuthMethod
      ? { tokenEndpointAuthMethod: TokenEndpointAuthMethod[tokenEndpointAuthMethod] }
      : {}),
  };
}

const json = (v: unknown) => JSON.stringify(v ?? null);
const sortedParams = (p: Record<string, string> | undefined) =>
  p ? Object.entries(p).sort(([a], [b]) => a.localeCompare(b)) : null;

/** Same protocol definition: what decides where credentials go and how they are applied. */
export function sameDefinition(a: ServiceDefinition, b: ServiceDefinition): boolean {
  return (
    a.authType === b.authType &&
    a.paramType === b.paramType &&
    ENDPOINT_URL_FIELDS.every((k) => (a[k] ?? null) === (b[k] ?? null)) &&
    json([...a.scopes].sort()) === json([...b.scopes].sort()) &&
    a.scopeDelimiter === b.scopeDelimiter &&
    json(a.apiBaseUrls) === json(b.apiBaseUrls) &&
    (a.apiKeyParamName ?? null) === (b.apiKeyParamName ?? null) &&
    json(sortedParams(a.authorizeParams)) === json(sortedParams(b.authorizeParams)) &&
    (a.grantType ?? 'authorization_code') === (b.grantType ?? 'authorization_code') &&
    json(sortedParams(a.tokenParams)) === json(sortedParams(b.tokenParams)) &&
    (a.pkce !== false) === (b.pkce !== false) &&
    (a.tokenEndpointAuthMethod ?? null) === (b.tokenEndpointAuthMethod ?? null)
  );
}
