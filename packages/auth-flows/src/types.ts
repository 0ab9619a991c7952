export type AuthType = 'OAUTH2' | 'OAUTH1' | 'BASIC' | 'API_KEY';
export type ParamType = 'HEADERS' | 'QUERY_STRING' | 'FORM_DATA';
export type TokenEndpointAuthMethod = 'client_secret_post' | 'client_secret_basic';
/**
 * How an OAUTH2 service obtains its tokens: the authorization code grant (RFC 6749 section 4.1, a user in a
 * browser; the default when absent) or the client credentials grant (section 4.4: machine-to-machine, the
 * server asks the token endpoint itself, no browser and no refresh token). A grant of OAUTH2 rather than an
 * auth type of its own: the token it yields is the same OAuth2Credentials, applied to requests the same way.
 */
export type OAuth2GrantType = 'authorization_code' | 'client_credentials';
export type OAuth1SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256' | 'PLAINTEXT' | 'RSA-SHA1';

export const AUTH_TYPES: readonly AuthType[] = ['OAUTH2', 'OAUTH1', 'BASIC', 'API_KEY'];
export const PARAM_TYPES: readonly ParamType[] = ['HEADERS', 'QUERY_STRING', 'FORM_DATA'];

/** The placeholder grant uses (and we reuse) for per-tenant hosts such as `https://[subdomain].zendesk.com`. */
export const SUBDOMAIN_PLACEHOLDER = '[subdomain]';

/**
 * A service as auth-flows sees it: built by the API either from a catalog entry (+ workspace client
 * credentials) or from a custom service row. Secrets never live here: they travel in ClientCredentials.
 */
export interface ServiceDefinition {
  slug: string;
  displayName: string;
  authType: AuthType;
  paramType: ParamType;
  authorizeUrl?: string;
  accessTokenUrl?: string;
  /** OAuth 1.0a temporary-credentials endpoint (RFC 5849 section 2.1). */
  requestTokenUrl?: string;
  /** Token endpoint for the refresh_token grant when it differs from accessTokenUrl. */
  refreshUrl?: string;
  revokeUrl?: string;
  /** Documented scopes (may be empty). */
  scopes: string[];
  defaultScopes: string[];
  /** ' ' for standard OAuth 2.0; some providers want ','. */
  scopeDelimiter: string;
  /** Absolute http(s) URLs; invocations may only reach these hosts. */
  apiBaseUrls: string[];
  /** API_KEY only: header, query or form field that carries the key. */
  apiKeyParamName?: string;
  /** API_KEY only: written before the key, e.g. 'Bearer ' for `Authorization: Bearer <key>`. */
  apiKeyPrefix?: string;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** OAUTH2: the grant its tokens come from; absent means authorization_code. */
  grantType?: OAuth2GrantType;
  /**
   * OAUTH2 client_credentials: extra token-request parameters, e.g. `audience` (Auth0) or `resource`
   * (RFC 8707). Never secrets, never one the grant sets itself (grant_type, scope, client_id...).
   */
  tokenParams?: Record<string, string>;
  /**
   * OAUTH2: send a PKCE challenge (RFC 7636) with the authorization request; on unless false. Off only for a
   * server that rejects unknown parameters (RFC 6749 section 3.1 says to ignore them, not all do).
   */
  pkce?: boolean;
  oauth1SignatureMethod?: OAuth1SignatureMethod;
  /** URLs contain a `[subdomain]` placeholder that the connection fills in. */
  subdomain?: boolean;
  /** A cheap request that succeeds only with valid credentials. Relative URLs resolve against apiBaseUrls[0]. */
  testRequest?: TestRequest;
  docsUrl?: string;
  /**
   * OAUTH2 with paramType HEADERS: the header carrying the access token when it is not
   * `Authorization: Bearer <token>` (Shopify wants `X-Shopify-Access-Token: <token>`).
   */
  accessTokenHeader?: { name: string; prefix?: string };
  /** Where the upstream account identity is read after authorization (OAuth only). */
  profileUrl?: string;
  /**
   * OAUTH2: the authorization server's issuer identifier (RFC 8414 section 2). When set, the `iss` of an
   * authorization response must equal it (RFC 9207); otherwise `iss` must be on the authorize URL's origin.
   */
  issuer?: string;
  /** OAUTH2: the server advertises `authorization_response_iss_parameter_supported`; a response without `iss` fails. */
  issParameterSupported?: boolean;
  /** Extra authorize-request parameters, e.g. Google's `access_type=offline`. Never secrets. */
  authorizeParams?: Record<string, string>;
  /**
   * Name of the provider in grant's `config/oauth.json` whose quirks apply (Notion's JSON token request,
   * X's Basic-plus-client_id...). Only catalog entries set it; a custom service never borrows one, so its
   * token can never be sent to another provider's profile URL.
   */
  grantProvider?: string;
  /** Labels for the console when asking for BASIC / API_KEY credentials, e.g. {username: 'Account SID'}. */
  credentialLabels?: { username?: string; password?: string; apiKey?: string };
}

export interface TestRequest {
  method: string;
  /** Absolute, or relative to the first API base URL. May contain the `[subdomain]` placeholder. */
  url: string;
  /** Statuses that mean the credentials work; any 2xx when absent. */
  expectStatus?: number[];
  /** Non-secret headers the API insists on (Notion-Version, anthropic-version...). */
  headers?: Record<string, string>;
}

export type CatalogSource = 'grant' | 'overlay' | 'builtin';

export interface CatalogEntry extends ServiceDefinition {
  /** grant: grant's data only; overlay: grant's data plus our metadata; builtin: not in grant at all. */
  source: CatalogSource;
  /** The provider's icon in simple-icons (its slug there), when the set has one; see catalog/logos.ts. */
  logo?: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** PEM private key, for OAuth 1.0a RSA-SHA1 only. */
  privateKey?: string;
}

export type OAuth2Credentials = {
  type: 'OAUTH2';
  accessToken: string;
  refreshToken?: string;
  tokenType: string;
  /** Epoch milliseconds; absent when the provider did not say. */
  expiresAt?: number;
  /**
   * When the token response arrived (epoch ms, our clock), set with expiresAt: the two give the token's
   * lifetime, which scales the refresh margin (refreshLeadMs).
   */
  issuedAt?: number;
  scopes: string[];
  idToken?: string;
};
export type OAuth1Credentials = { type: 'OAUTH1'; token: string; tokenSecret: string };
export type BasicCredentials = { type: 'BASIC'; username: string; password: string };
export type ApiKeyCredentials = { type: 'API_KEY'; apiKey: string };

export type Credentials = OAuth2Credentials | OAuth1Credentials | BasicCredentials | ApiKeyCredentials;

export interface UpstreamAccount {
  id: string;
  name?: string;
  email?: string;
}

export type FormBody = URLSearchParams | Record<string, string | string[]>;

/** A plain description of an HTTP request; authenticate() returns a new one with credentials applied. */
export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** A string is sent as-is; a form (URLSearchParams or a map) is sent application/x-www-form-urlencoded. */
  body?: string | FormBody;
}
