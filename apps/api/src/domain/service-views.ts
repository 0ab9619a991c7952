import type { ServiceDefinition } from '@connections/auth-flows';
import type { Service as ServiceView } from '@connections/schema';

/** What a service view adds to the definition: where it comes from and this workspace's OAuth client. */
export interface ServiceViewContext {
  /** A custom row's id, or "default:<slug>". */
  id: string;
  kind: 'DEFAULT' | 'CUSTOM';
  clientId: string | null;
  hasClientSecret: boolean;
  /** The callback to register at the provider, for OAuth services. */
  redirectUri: string | null;
}

/** The GraphQL shape of a service, catalog or custom, from its one definition. Never holds a secret. */
export function serviceView(def: ServiceDefinition, ctx: ServiceViewContext): ServiceView {
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
    clientId: ctx.clientId,
    hasClientSecret: ctx.hasClientSecret,
    redirectUri: ctx.redirectUri,
    needsSubdomain: !!def.subdomain,
    docsUrl: def.docsUrl ?? null,
  };
}
