import type { AuthType, OAuth2GrantType } from '../generated/graphql';

/** A service as far as connecting goes: its auth type, and for OAuth 2.0 its grant. */
export type ConnectTarget = AuthType | { authType: AuthType; grantType?: OAuth2GrantType | null };

const targetOf = (t: ConnectTarget) => (typeof t === 'string' ? { authType: t } : t);

/** OAuth 2.0 with the client credentials grant (RFC 6749 section 4.4): the server gets tokens, no browser. */
export function usesClientCredentials(target: ConnectTarget): boolean {
  const s = targetOf(target);
  return s.authType === 'OAUTH2' && 'grantType' in s && s.grantType === 'CLIENT_CREDENTIALS';
}

/**
 * Whether connecting goes through the provider's pages in a browser (a popup, or a redirect of this tab):
 * OAuth 1.0a and the authorization code grant. Basic and API keys go with the mutation; client credentials are
 * requested by the server itself.
 */
export function needsBrowser(target: ConnectTarget): boolean {
  const s = targetOf(target);
  return (s.authType === 'OAUTH2' || s.authType === 'OAUTH1') && !usesClientCredentials(s);
}
