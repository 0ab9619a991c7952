import type { CatalogEntry, ClientCredentials } from '@connections/auth-flows';
import type { CatalogOverlay } from '../domain/service-catalog';

/**
 * The four "Sandbox" catalog services. Catalog data in auth-flows is static; these point at this server
 * (`${publicUrl}/sandbox/...`), which is only known once it listens, so the API builds them at run time.
 * Their OAuth clients are preconfigured: "Create and Connect" works with no set-up.
 */
export const SANDBOX_SLUGS = [
  'sandbox-oauth2',
  'sandbox-oauth1',
  'sandbox-basic',
  'sandbox-api-key',
] as const;

/** Not secrets: the sandbox is a local toy and documents them (README, "Try it in five minutes"). */
export const SANDBOX_OAUTH2_CLIENT: ClientCredentials = {
  clientId: 'connections-sandbox',
  clientSecret: 'sandbox-client-secret-not-for-production',
};
export const SANDBOX_OAUTH1_CONSUMER: ClientCredentials = {
  clientId: 'connections-sandbox-consumer',
  clientSecret: 'sandbox-consumer-secret-not-for-production',
};
export const SANDBOX_BASIC_USER = { username: 'sandbox', password: 'sandbox-password' };
export const SANDBOX_API_KEY = 'sandbox-api-key';

export function sandboxEntries(publicUrl: string): CatalogEntry[] {
  const base = `${publicUrl}/sandbox`;
  const api = [`${base}/api/`];
  const testRequest = { method: 'GET', url: 'me' };
  // The sandbox's own guide (sandbox/guide.ts): credentials, API, misbehaviour controls.
  const docsUrl = `${base}/`;
  return [
    {
      source: 'builtin',
      slug: 'sandbox-oauth2',
      displayName: 'Sandbox (OAuth 2.0)',
      authType: 'OAUTH2',
      paramType: 'HEADERS',
      authorizeUrl: `${base}/oauth/auth`,
      accessTokenUrl: `${base}/oauth/token`,
      revokeUrl: `${base}/oauth/token/revocation`,
      // oidc-provider's userinfo endpoint: the connection shows the upstream account (sandbox-user).
      profileUrl: `${base}/oauth/me`,
      scopes: ['openid', 'offline_access', 'contacts.read', 'contacts.write'],
      defaultScopes: ['openid', 'offline_access', 'contacts.read'],
      scopeDelimiter: ' ',
      apiBaseUrls: api,
      // oidc-provider issues a refresh token only with offline_access and prompt=consent.
      authorizeParams: { prompt: 'consent' },
      tokenEndpointAuthMethod: 'client_secret_post',
      docsUrl,
    },
    {
      source: 'builtin',
      slug: 'sandbox-oauth1',
      displayName: 'Sandbox (OAuth 1.0a)',
      authType: 'OAUTH1',
      paramType: 'HEADERS',
      requestTokenUrl: `${base}/oauth1/request_token`,
      authorizeUrl: `${base}/oauth1/authorize`,
      accessTokenUrl: `${base}/oauth1/access_token`,
      scopes: [],
      defaultScopes: [],
      scopeDelimiter: ' ',
      apiBaseUrls: api,
      oauth1SignatureMethod: 'HMAC-SHA1',
      docsUrl,
    },
    {
      source: 'builtin',
      slug: 'sandbox-basic',
      displayName: 'Sandbox (Basic)',
      authType: 'BASIC',
      paramType: 'HEADERS',
      scopes: [],
      defaultScopes: [],
      scopeDelimiter: ' ',
      apiBaseUrls: api,
      testRequest,
      credentialLabels: { username: 'Username (sandbox)', password: 'Password (sandbox-password)' },
      docsUrl,
    },
    {
      source: 'builtin',
      slug: 'sandbox-api-key',
      displayName: 'Sandbox (API key)',
      authType: 'API_KEY',
      paramType: 'HEADERS',
      apiKeyParamName: 'X-API-Key',
      scopes: [],
      defaultScopes: [],
      scopeDelimiter: ' ',
      apiBaseUrls: api,
      testRequest,
      credentialLabels: { apiKey: 'API key (sandbox-api-key)' },
      docsUrl,
    },
  ];
}

/** The sandbox's services, as the catalog overlay the service registry consults first. */
export function sandboxOverlay(publicUrl: () => string): CatalogOverlay {
  let cached: { url: string; entries: CatalogEntry[] } | undefined;
  const entries = () => {
    const url = publicUrl();
    if (cached?.url !== url) cached = { url, entries: sandboxEntries(url) };
    return cached.entries;
  };
  return {
    entries,
    find: (slug) => (slug.startsWith('sandbox-') ? entries().find((e) => e.slug === slug) : undefined),
    client: (slug) =>
      slug === 'sandbox-oauth2'
        ? SANDBOX_OAUTH2_CLIENT
        : slug === 'sandbox-oauth1'
          ? SANDBOX_OAUTH1_CONSUMER
          : null,
  };
}
