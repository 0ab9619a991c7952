import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';
import { Browser } from './browser';
import type { OidcClient, OidcServer } from './oidc';

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  scope?: string;
  token_type: string;
}

/**
 * An authorization-code flow with PKCE straight against the test server, without grant: the refresh
 * tests need real tokens and must not depend on the router under test.
 */
export async function obtainTokensDirect(oidc: OidcServer, client: OidcClient): Promise<TokenSet> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const redirectUri = client.redirect_uris[0]!;
  const authorize = new URL(oidc.authorizeUrl);
  authorize.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid offline_access email profile',
    prompt: 'consent',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const page = await new Browser().follow(authorize.toString(), (url) => url.startsWith(redirectUri));
  if (!page.stoppedAt)
    throw new Error(
      `authorization did not reach the redirect URI: ${page.status} ${page.text.slice(0, 200)}`,
    );
  const back = new URL(page.stoppedAt);
  if (back.searchParams.get('state') !== state) throw new Error('state mismatch in direct flow');

  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: back.searchParams.get('code')!,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.token_endpoint_auth_method === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
  } else {
    form.set('client_id', client.client_id);
    form.set('client_secret', client.client_secret);
  }
  const res = await request(oidc.tokenUrl, { method: 'POST', headers, body: form.toString() });
  const body = (await res.body.json()) as TokenSet;
  if (res.statusCode !== 200) throw new Error(`code exchange failed: ${JSON.stringify(body)}`);
  return body;
}
