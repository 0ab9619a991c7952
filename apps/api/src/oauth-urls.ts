import { redirectUriFor as flowRedirectUri } from '@connections/auth-flows';

/** Where the OAuth router is mounted; its callback is the redirect URI every OAuth service registers. */
export const OAUTH_BASE_PATH = '/oauth';

/**
 * The callback URL an admin registers at an OAuth provider: one per deployment, the same for every service,
 * so it can be registered before the first connection exists. null for services without OAuth.
 */
export function redirectUriFor(publicUrl: string, service: { authType: string }): string | null {
  if (service.authType !== 'OAUTH2' && service.authType !== 'OAUTH1') return null;
  return flowRedirectUri(publicUrl, OAUTH_BASE_PATH);
}
