import { request } from 'undici';
import { refreshOAuth2 } from '../refresh/refresh-oauth2';
import { Browser } from '../test-support/browser';
import { startHostApp, type HostApp } from '../test-support/host-app';
import { startOidcServer, type OidcClient, type OidcServer } from '../test-support/oidc';
import type { ClientCredentials, OAuth2Credentials, ServiceDefinition } from '../types';
import type { FlowOutcome } from './normalize';

let app: HostApp;
let oidc: OidcServer;
let service: ServiceDefinition;
let postClient: OidcClient;
let basicClient: OidcClient;
let counter = 0;

const creds = (c: OidcClient): ClientCredentials => ({
  clientId: c.client_id,
  clientSecret: c.client_secret,
});

function newAttempt(over: Partial<ServiceDefinition> = {}, client: OidcClient = postClient): string {
  counter += 1;
  const id = `attempt-${counter}`;
  app.attempts.set(id, { service: { ...service, ...over }, client: creds(client), scopes: [] });
  return id;
}

function completionOf(attemptId: string | undefined): FlowOutcome {
  const found = app.completions.filter((c) => c.attemptId === attemptId);
  expect(found).toHaveLength(1);
  return found[0]!.outcome;
}

async function userinfo(accessToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(oidc.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

/** Runs a flow until the provider redirects back to our callback; returns the callback URL unvisited. */
async function untilCallback(browser: Browser, attemptId: string): Promise<URL> {
  const page = await browser.follow(app.connectUrl(attemptId), (url) => url.startsWith(app.redirectUri));
  expect(page.stoppedAt).toBeDefined();
  return new URL(page.stoppedAt!);
}

beforeAll(async () => {
  app = await startHostApp();
  postClient = {
    client_id: 'flow-post',
    client_secret: 'flow-post-secret-000',
    redirect_uris: [app.redirectUri],
    token_endpoint_auth_method: 'client_secret_post',
  };
  basicClient = {
    client_id: 'flow-basic',
    client_secret: 'flow.basic-secret-000',
    redirect_uris: [app.redirectUri],
    token_endpoint_auth_method: 'client_secret_basic',
  };
  oidc = await startOidcServer([postClient, basicClient]);
  service = {
    slug: 'oidc-test',
    displayName: 'OIDC test',
    authType: 'OAUTH2',
    paramType: 'HEADERS',
    authorizeUrl: oidc.authorizeUrl,
    accessTokenUrl: oidc.tokenUrl,
    profileUrl: oidc.userinfoUrl,
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    defaultScopes: ['openid', 'offline_access', 'email', 'profile'],
    scopeDelimiter: ' ',
    apiBaseUrls: [`${oidc.issuer}/`],
    authorizeParams: { prompt: 'consent' },
    tokenEndpointAuthMethod: 'client_secret_post',
  };
}, 60_000);

afterAll(async () => {
  await oidc.stop();
  await app.close();
});

describe('OAuth 2.0 code flow through grant against oidc-provider', () => {
  it('sends state, S256 PKCE, space-delimited scopes and our redirect URI; never the secret', async () => {
    const attemptId = newAttempt();
    const page = await new Browser().follow(app.connectUrl(attemptId), (url) =>
      url.startsWith(oidc.authorizeUrl),
    );
    const authorize = new URL(page.stoppedAt!);
    const params = Object.fromEntries(authorize.searchParams);
    expect(params).toMatchObject({
      client_id: 'flow-post',
      response_type: 'code',
      redirect_uri: app.redirectUri,
      scope: 'openid offline_access email profile',
      code_challenge_method: 'S256',
      prompt: 'consent',
    });
    expect(params.state).toMatch(/^[0-9a-f]{40}$/);
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.toString()).not.toContain(postClient.client_secret);
  });

  it('completes: tokens, expiry from expires_in, granted scopes and the account from the profile', async () => {
    const attemptId = newAttempt();
    const before = Date.now();
    const page = await new Browser().follow(app.connectUrl(attemptId));
    const after = Date.now();
    expect(page.status).toBe(200);
    const outcome = completionOf(attemptId);
    if (!outcome.ok) throw outcome.error;
    const credentials = outcome.credentials as OAuth2Credentials;
    expect(credentials).toMatchObject({
      type: 'OAUTH2',
      tokenType: 'bearer',
      refreshToken: expect.any(String),
      idToken: expect.any(String),
    });
    expect(credentials.expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(credentials.expiresAt).toBeLessThanOrEqual(after + 3_600_000);
    expect(credentials.scopes.sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
    expect(outcome.account).toEqual({ id: 'user-42', name: 'Ada Lovelace', email: 'user-42@example.test' });
    expect(JSON.stringify(outcome.raw)).not.toContain(credentials.accessToken);
    expect((await userinfo(credentials.accessToken)).status).toBe(200);
    // The router asked the host for the attempt's configuration on the connect AND the callback.
    expect(app.resolveCalls.get(attemptId)).toBe(2);

    // The connection then lives on by refresh, with a rotated refresh token.
    const refreshed = await refreshOAuth2(service, creds(postClient), credentials);
    expect(refreshed.refreshToken).not.toBe(credentials.refreshToken);
    expect((await userinfo(refreshed.accessToken)).status).toBe(200);
  });

  it('completes with client_secret_basic at the token endpoint', async () => {
    const attemptId = newAttempt({ tokenEndpointAuthMethod: 'client_secret_basic' }, basicClient);
    await new Browser().follow(app.connectUrl(attemptId));
    expect(completionOf(attemptId).ok).toBe(true);
  });

  it('classifies denied consent', async () => {
    const attemptId = newAttempt({ authorizeParams: { prompt: 'consent', login_hint: 'deny' } });
    const page = await new Browser().follow(app.connectUrl(attemptId));
    expect(page.status).toBe(400);
    const outcome = completionOf(attemptId);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok)
      expect(outcome.error).toMatchObject({ code: 'ACCESS_DENIED', oauthError: 'access_denied' });
  });

  it('rejects a tampered state without killing the genuine flow', async () => {
    const browser = new Browser();
    const attemptId = newAttempt();
    const genuine = await untilCallback(browser, attemptId);
    const tampered = new URL(genuine);
    const state = genuine.searchParams.get('state')!;
    // Change one character, always to a different one.
    tampered.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('0') ? '1' : '0'}`);
    const before = app.completions.length;

    expect((await browser.get(tampered.toString())).status).toBe(400);
    const rejected = app.completions[before]!;
    expect(rejected.attemptId).toBeUndefined();
    expect(rejected.outcome).toMatchObject({ ok: false, error: { code: 'STATE_MISMATCH' } });

    expect((await browser.get(genuine.toString())).status).toBe(200);
    expect(completionOf(attemptId).ok).toBe(true);
  });

  it('rejects a callback without state', async () => {
    const browser = new Browser();
    const attemptId = newAttempt();
    const callback = await untilCallback(browser, attemptId);
    callback.searchParams.delete('state');
    const before = app.completions.length;
    await browser.get(callback.toString());
    expect(app.completions[before]).toMatchObject({
      attemptId: undefined,
      outcome: { ok: false, error: { code: 'STATE_MISMATCH' } },
    });
    expect(app.completions.filter((c) => c.attemptId === attemptId)).toHaveLength(0);
  });

  it('a replayed code fails: first with no flow in progress, then at the token endpoint', async () => {
    const browser = new Browser();
    const first = newAttempt();
    const callback = await untilCallback(browser, first);
    await browser.get(callback.toString());
    expect(completionOf(first).ok).toBe(true);

    const before = app.completions.length;
    await browser.get(callback.toString());
    expect(app.completions[before]!.outcome).toMatchObject({
      ok: false,
      error: { code: 'NO_FLOW_IN_PROGRESS' },
    });

    // Spliced into a new flow of the same browser, with that flow's valid state, the spent code is refused.
    const second = newAttempt();
    const fresh = await untilCallback(browser, second);
    const replay = new URL(callback);
    replay.searchParams.set('state', fresh.searchParams.get('state')!);
    await browser.get(replay.toString());
    const outcome = completionOf(second);
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_ENDPOINT_ERROR', oauthError: 'invalid_grant', terminal: true },
    });
    if (!outcome.ok) expect(outcome.error.message).not.toContain(callback.searchParams.get('code')!);
  });

  it('takes nothing from the connect query string: no client credentials, no endpoints', async () => {
    const attemptId = newAttempt();
    const url = `${app.connectUrl(attemptId)}?key=evil&client_id=evil&secret=s&authorize_url=http%3A%2F%2Fevil.example%2F&redirect_uri=http%3A%2F%2Fevil.example%2F&scope=admin`;
    const page = await new Browser().get(url);
    const location = new URL(page.location!);
    expect(location.origin + location.pathname).toBe(oidc.authorizeUrl);
    expect(location.searchParams.get('client_id')).toBe('flow-post');
    expect(location.searchParams.get('redirect_uri')).toBe(app.redirectUri);
    expect(location.searchParams.get('scope')).toBe('openid offline_access email profile');
  });

  it('reports an unknown attempt and a callback without a flow', async () => {
    await new Browser().get(app.connectUrl('no-such-attempt'));
    expect(completionOf('no-such-attempt')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ATTEMPT' } });
    const before = app.completions.length;
    await new Browser().get(`${app.redirectUri}?code=x&state=y`);
    expect(app.completions[before]).toMatchObject({
      attemptId: undefined,
      outcome: { ok: false, error: { code: 'NO_FLOW_IN_PROGRESS' } },
    });
  });
});
