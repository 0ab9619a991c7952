import { type ServiceDefinition, usesClientCredentials } from '@connections/auth-flows';
import type { Service as ServiceView } from '@connections/schema';

/** What a service view adds to the definition: where it comes from and this workspace's settings. */
export interface ServiceViewContext {
  /** A custom row's id, or "default:<slug>". */
  id: string;
  kind: 'DEFAULT' | 'CUSTOM';
  clientId: string | null;
  hasClientSecret: boolean;
  /** The callback to register at the provider, for OAuth services. */
  redirectUri: string | null;
  /** Catalog services: the catalog's own API base URLs, and whether the workspace replaced them. */
  catalogApiBaseUrls: { urls: readonly string[]; overridden: boolean } | null;
  /** Catalog services: the workspace's tenant host, and whether each connection names its own instead. */
  tenantHost: { value: string | null; perConnection: boolean };
  logoUrl: string | null;
}

/** The GraphQL shape of a service, catalog or custom, from its one definition. Never holds a secret. */
export function serviceView(def: ServiceDefinition, ctx: ServiceViewContext): ServiceView {
  const catalogBases = ctx.catalogApiBaseUrls;
  return {
    id: ctx.id,
    kind: ctx.kind as ServiceView['kind'],
    slug: def.slug,
    name: def.displayName,
    authType: def.authType as ServiceView['authType'],
    paramType: def.paramType as ServiceView['paramType'],
    authorizeUrl: def.authorizeUrl ?? null,
    accessTokenUrl: def.accessTokenUrl ?? null,
    requestTokenUrl: def.requestTokenUrl ?? null,
    refreshUrl: def.refreshUrl ?? null,
    revokeUrl: def.revokeUrl ?? null,
    profileUrl: def.profileUrl ?? null,
    scopes: def.scopes,
    defaultScopes: def.defaultScopes,
    scopeDelimiter: def.scopeDelimiter,
    apiBaseUrls: def.apiBaseUrls,
    apiKeyParamName: def.apiKeyParamName ?? null,
    authorizeParams: def.authorizeParams ?? null,
    tokenEndpointAuthMethod: (def.tokenEndpointAuthMethod ?? null) as ServiceView['tokenEndpointAuthMethod'],
    pkce: def.authType === 'OAUTH2' && !usesClientCredentials(def) && def.pkce !== false,
    grantType: (def.authType === 'OAUTH2'
      ? (def.grantType ?? 'authorization_code')
      : null) as ServiceView['grantType'],
    tokenParams: def.tokenParams ?? null,
    clientId: ctx.clientId,
    hasClientSecret: ctx.hasClientSecret,
    // No callback: the client credentials grant never sends a browser to the provider.
    redirectUri: usesClientCredentials(def) ? null : ctx.redirectUri,
    needsSubdomain: !!def.subdomain && ctx.tenantHost.perConnection,
    needsWorkspaceSubdomain: !!def.subdomain && !ctx.tenantHost.perConnection,
    subdomain: ctx.tenantHost.value,
    docsUrl: def.docsUrl ?? null,
    logoUrl: ctx.logoUrl,
    apiBaseUrlsOverridden: !!catalogBases?.overridden,
    catalogApiBaseUrls: catalogBases ? [...catalogBases.urls] : null,
  };
}
