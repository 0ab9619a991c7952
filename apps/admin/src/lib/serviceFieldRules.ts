import type { AuthType, OAuth2GrantType } from '../generated/graphql';
import { usesClientCredentials } from './grant';
import type { FieldRule, FormMode, ServiceField } from './serviceForm';

export const isOAuth = (t: AuthType) => t === 'OAUTH2' || t === 'OAUTH1';

/**
 * Which fields the form shows for an auth type (and, for OAuth 2.0, its grant), and which it requires. The
 * client credentials grant has no browser step: no authorize URL or parameters, PKCE, profile or refresh URL
 * (the API refuses them, auth-flows grant-rules.ts); it may send extra token parameters instead.
 */
export function fieldRules(
  authType: AuthType,
  mode: FormMode = 'create',
  hasClientSecret = false,
  grantType: OAuth2GrantType = 'AUTHORIZATION_CODE',
): Record<ServiceField, FieldRule> {
  const oauth1 = authType === 'OAUTH1';
  const oauth = isOAuth(authType);
  const cc = usesClientCredentials({ authType, grantType });
  const browser = oauth && !cc;
  const rule = (visible: boolean, required: boolean, label: string, help?: string): FieldRule => ({
    visible,
    required: visible && required,
    label,
    help,
  });
  return {
    name: rule(true, true, 'Service name', 'Shown in the catalog and on every connection to it.'),
    // The API keeps a service's auth type for life: changing it would strand its connections' credentials.
    authType: rule(mode === 'create', true, 'Authentication'),
    // Fixed once created too: the stored tokens and the connections' setup depend on it.
    grantType: rule(authType === 'OAUTH2' && mode === 'create', true, 'Grant'),
    // Basic: the Authorization header only (the API refuses others, auth-flows schema-rules.ts): not offered.
    paramType: rule(
      authType !== 'BASIC',
      true,
      'Send credentials as',
      authType === 'API_KEY'
        ? 'Where the API key travels on each request.'
        : 'Where the access token travels on each request.',
    ),
    requestTokenUrl: rule(oauth1, true, 'Request token URL', 'OAuth 1.0a step 1 (temporary credentials).'),
    authorizeUrl: rule(browser, true, 'Authorization URL', 'Where users are sent to approve access.'),
    accessTokenUrl: rule(
      oauth,
      true,
      'Access token URL',
      cc
        ? 'Where this server requests tokens with the client id and secret.'
        : 'Where the code is exchanged for tokens.',
    ),
    refreshUrl: rule(
      authType === 'OAUTH2' && !cc,
      false,
      'Refresh URL',
      'Leave empty to use the access token URL.',
    ),
    revokeUrl: rule(oauth, false, 'Revoke URL', 'RFC 7009 endpoint, called when a connection is revoked.'),
    profileUrl: rule(
      browser,
      false,
      'Profile URL',
      'Read after connecting to show which upstream account was used (e.g. OIDC userinfo).',
    ),
    clientId: rule(oauth, true, oauth1 ? 'Consumer key' : 'Client ID'),
    clientSecret: rule(
      oauth,
      mode === 'create' || !hasClientSecret,
      oauth1 ? 'Consumer secret' : 'Client secret',
      mode === 'edit' && hasClientSecret
        ? 'A secret is stored. Leave empty to keep it; it is never shown back.'
        : 'Stored encrypted; it is never shown back.',
    ),
    scopes: rule(
      oauth,
      false,
      'Scopes',
      cc ? 'Sent as scope with each token request.' : 'The scopes a new connection asks for by default.',
    ),
    scopeDelimiter: rule(oauth, true, 'Scope delimiter'),
    authorizeParams: rule(
      browser,
      false,
      'Extra authorize parameters',
      'One name=value per line, e.g. access_type=offline or prompt=consent. Sent with every authorization request; never secrets.',
    ),
    tokenEndpointAuthMethod: rule(
      authType === 'OAUTH2',
      false,
      'Token endpoint authentication',
      cc
        ? 'How the client id and secret reach the token endpoint (token requests and revoke).'
        : 'How the client id and secret reach the token endpoint (code exchange, refresh and revoke).',
    ),
    pkce: rule(
      authType === 'OAUTH2' && !cc,
      false,
      'Use PKCE',
      'Recommended (RFC 7636). Turn it off only for a server that rejects code_challenge.',
    ),
    tokenParams: rule(
      cc,
      false,
      'Token request parameters',
      'Sent with every token request, e.g. audience (Auth0) or resource (RFC 8707). Never secrets.',
    ),
    apiKeyParamName: rule(
      authType === 'API_KEY',
      true,
      'API key parameter name',
      'e.g. X-API-Key for a header, api_key for a query parameter.',
    ),
    apiBaseUrls: rule(
      true,
      true,
      'API base URLs',
      'One per line. Requests through a connection may only reach these; the first one is the base for relative URLs.',
    ),
  };
}
