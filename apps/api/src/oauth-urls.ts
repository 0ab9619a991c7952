/**
 * The callback URL an admin registers at an OAuth provider. One per deployment and service, stable across
 * attempts, so it can be registered before the first connection exists.
 */
export function redirectUriFor(
  publicUrl: string,
  service: { slug: string; authType: string },
): string | null {
  if (service.authType !== 'OAUTH2' && service.authType !== 'OAUTH1') return null;
  return `${publicUrl}/oauth/callback`;
}
