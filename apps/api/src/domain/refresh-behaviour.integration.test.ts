import type { OAuth2Credentials } from '@connections/auth-flows';
import { Browser } from '@connections/auth-flows/test-support/browser';
import { type OidcServer, startOidcServer } from '@connections/auth-flows/test-support/oidc';
import { request } from 'undici';
import { parseKey, SecretBox } from '../crypto/secret-box';
import { AuthorizationRow } from '../db/entities';
import { type EventLog, subscribeEvents } from '../test-support/events';
import {
  type ScriptedTokenEndpoint,
  startScriptedTokenEndpoint,
} from '../test-support/scripted-token-endpoint';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';
import { waitFor } from '../test-support/wait';
import { openCredentials, sealCredentials } from './credentials-store';
import { tokenColumns } from './refresh-state';

jest.setTimeout(120_000);

// Refresh as real providers need it, against oidc-provider configured like Keycloak's default: every access
// token lives 300 s (RFC 6749 expires_in=300). The API upstream accepts a bearer token only when the
// provider's userinfo endpoint does. Refreshes of the "proxied" services go through a scripted token endpoint
// that counts them, answers 503, holds them in flight or narrows the granted scope.

const SECRET = 'keycloak-like-client-secret-3300';
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }';
const CONNECTION = `query($id: ID) { connection(id: $id) {
  status scopes authorization { status lastError grantedScopes missingScopes hasRefreshToken expiresAt }
} }`;

describe.each(databases())('token refresh with real providers (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let api: Upstream;
  let endpoint: ScriptedTokenEndpoint;
  let box: SecretBox;
  let token: string;
  let ws: ReturnType<TestServer['ws']>;
  let log: EventLog;
  const slugs: Record<'direct' | 'proxied' | 'drift' | 'noRefresh', string> = {
    direct: '',
    proxied: '',
    drift: '',
    noRefresh: '',
  };

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const refreshes = async () => (await oidc.stats()).byGrantType.refresh_token ?? 0;
  const codeExchanges = async () => (await oidc.stats()).byGrantType.authorization_code ?? 0;
  const invoke = (link: string) => t.gql(INVOKE, { i: { connection: link, url: 'me' } }, { token });
  const status = async (id: string) => ok(await t.gql(CONNECTION, { id }, { token })).connection;
  const row = (connectionId: string) =>
    t.server.ds.getRepository(AuthorizationRow).findOneByOrFail({ connectionId });
  const stored = async (connectionId: string) =>
    openCredentials(box, await row(connectionId)) as OAuth2Credentials;
  const auditCount = async (connectionId: string, action: string) =>
    ok(
      await t.gql(
        'query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { nodes { id } } }',
        { f: { connectionId, action } },
        { token },
      ),
    ).auditEvents.nodes.length as number;

  /** Writes an authorization row behind the server's back, and announces it (as every real change is). */
  const write = async (connectionId: string, columns: Partial<AuthorizationRow>) => {
    await t.server.ds.getRepository(AuthorizationRow).update({ connectionId }, columns);
    t.server.services.invalidator.invalidate('connection', connectionId);
  };
  /** Rewrites the stored token as issued `ageMs` ago (same lifetime), as the passing of time would. */
  const age = async (connectionId: string, ageMs: number, lifetimeMs?: number) => {
    const r = await row(connectionId);
    const c = openCredentials(box, r) as OAuth2Credentials;
    const issuedAt = Date.now() - ageMs;
    const aged = { ...c, issuedAt, expiresAt: issuedAt + (lifetimeMs ?? c.expiresAt! - c.issuedAt!) };
    await write(connectionId, {
      credentialsEncrypted: sealCredentials(box, r.id, aged),
      ...tokenColumns(aged),
    });
  };
  /** The backoff after a failed refresh has run out (as if its time had passed). */
  const endBackoff = (connectionId: string) =>
    write(connectionId, { nextRefreshAt: new Date(Date.now() - 1) });

  const connect = async (name: string, service: string) => {
    const r = ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl connection { id linkName } } }',
        { i: { name, service } },
        { token },
      ),
    ).createAndConnect;
    expect((await new Browser().follow(r.authorizeUrl)).text).toContain('Connected');
    return { id: r.connection.id as string, link: r.connection.linkName as string };
  };

  beforeAll(async () => {
    // A ten-minute backoff floor: a failed refresh is retried only when a test ends the backoff itself.
    t = await startTestServer(db, {
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
      CONNECTIONS_REFRESH_BACKOFF_BASE_SECONDS: '600',
    });
    box = new SecretBox(parseKey(t.env.CONNECTIONS_ENCRYPTION_KEY!, 'key'));
    oidc = await startOidcServer(
      [
        {
          client_id: 'connections',
          client_secret: SECRET,
          redirect_uris: [`${t.url}/oauth/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      { accessTokenTtlSeconds: 300 },
    );
    endpoint = await startScriptedTokenEndpoint(oidc.tokenUrl);
    api = await startUpstream(async (req, res) => {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const info = await request(oidc.userinfoUrl, { headers: { authorization: `Bearer ${bearer}` } });
      await info.body.dump();
      res.writeHead(info.statusCode === 200 ? 200 : 401, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "refresh"}) { token } }', {}, admin))
      .createApiToken.token;
    const service = async (name: string, extra: Record<string, unknown>) =>
      ok(
        await t.gql(
          'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
          {
            i: {
              name,
              authType: 'OAUTH2',
              authorizeUrl: oidc.authorizeUrl,
              accessTokenUrl: oidc.tokenUrl,
              profileUrl: oidc.userinfoUrl,
              clientId: 'connections',
              clientSecret: SECRET,
              scopes: ['openid', 'offline_access'],
              authorizeParams: { prompt: 'consent' },
              apiBaseUrls: [`${api.url}/api/`],
              ...extra,
            },
          },
          { token },
        ),
      ).createCustomService.slug as string;
    slugs.direct = await service('Keycloak-like', {});
    slugs.proxied = await service('Keycloak-like via proxy', { refreshUrl: endpoint.url });
    // `contacts.write` is not a scope this provider knows: it grants the rest and leaves it out.
    slugs.drift = await service('Fewer scopes', {
      refreshUrl: endpoint.url,
      scopes: ['openid', 'offline_access', 'email', 'contacts.write'],
    });
    slugs.noRefresh = await service('No refresh token', { scopes: ['openid'] });
    ws = t.ws({ token });
    log = await subscribeEvents(ws);
  });
  afterAll(async () => {
    log?.stop();
    await ws?.dispose();
    await endpoint?.close();
    await api?.close();
    await oidc?.stop();
    await t?.close();
  });

  test('300 s tokens: calls do not refresh a fresh token; once due, one refresh serves every later call', async () => {
    expect(t.server.backgroundRefresh).toBeNull();
    const codesBefore = await codeExchanges();
    const c = await connect('Keycloak', slugs.direct);
    const first = await stored(c.id);
    expect(first.expiresAt! - first.issuedAt!).toBe(300_000);
    const before = await refreshes();
    for (let i = 0; i < 10; i++) expect(ok(await invoke(c.link)).invokeUrl.status).toBe(200);
    // One token request in all (the code exchange): a fixed 5.5-minute margin made every call refresh.
    expect(await codeExchanges()).toBe(codesBefore + 1);
    expect(await refreshes()).toBe(before);
    expect((await stored(c.id)).accessToken).toBe(first.accessToken);

    // Past half its life the token is due: the next call refreshes it, and the new 300 s token serves the rest.
    await age(c.id, 200_000);
    for (let i = 0; i < 10; i++) expect(ok(await invoke(c.link)).invokeUrl.status).toBe(200);
    expect(await refreshes()).toBe(before + 1);
    const next = await stored(c.id);
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(next.expiresAt! - next.issuedAt!).toBe(300_000);
    expect(await status(c.id)).toMatchObject({
      status: 'CONNECTED',
      authorization: {
        hasRefreshToken: true,
        missingScopes: [],
        grantedScopes: ['openid', 'offline_access'],
      },
    });
  });

  test('REFRESHING is written while the token request is in flight; one left by a dead holder is not kept', async () => {
    const c = await connect('In flight', slugs.proxied);
    await age(c.id, 200_000);
    endpoint.mode = 'hold';
    const call = invoke(c.link);
    await waitFor(() => endpoint.held() === 1);
    // Visible live: a query while the refresh waits for the provider.
    expect(await status(c.id)).toMatchObject({
      status: 'REFRESHING',
      authorization: { status: 'REFRESHING' },
    });
    endpoint.mode = 'forward';
    endpoint.release();
    expect(ok(await call).invokeUrl.status).toBe(200);
    expect(await status(c.id)).toMatchObject({ status: 'CONNECTED', authorization: { status: 'CONNECTED' } });
    expect((await row(c.id)).refreshStartedAt).toBeNull();

    // A holder killed mid-refresh leaves REFRESHING behind: after a minute it reads as the status before it.
    const stale = new Date(Date.now() - 2 * 60_000);
    await write(c.id, { status: 'REFRESHING', refreshStartedAt: stale });
    expect((await status(c.id)).status).toBe('CONNECTED');
    await write(c.id, { lastError: 'the token endpoint answered HTTP 503' });
    expect((await status(c.id)).status).toBe('REFRESH_FAILED');
    // And the next refresh takes over from it.
    await age(c.id, 200_000);
    const before = endpoint.requests;
    expect(ok(await invoke(c.link)).invokeUrl.status).toBe(200);
    expect(endpoint.requests).toBe(before + 1);
    expect(await status(c.id)).toMatchObject({ status: 'CONNECTED', authorization: { lastError: null } });
  });

  test('a burst after the token endpoint starts answering 503: one token request per backoff window', async () => {
    const c = await connect('Outage', slugs.proxied);
    await age(c.id, 200_000); // due, not expired
    endpoint.mode = 'fail';
    const before = endpoint.requests;
    const burst = await Promise.all(Array.from({ length: 20 }, () => invoke(c.link)));
    for (let i = 0; i < 20; i++) burst.push(await invoke(c.link));
    // Every call still succeeded with the token in hand; the provider saw one refresh attempt.
    for (const r of burst) expect(ok(r).invokeUrl.status).toBe(200);
    expect(endpoint.requests).toBe(before + 1);
    expect(await auditCount(c.id, 'authorization.REFRESH_FAILED')).toBe(1);
    const failed = await row(c.id);
    expect(failed).toMatchObject({ status: 'REFRESH_FAILED', refreshFailures: 1 });
    expect(failed.nextRefreshAt!.getTime()).toBeGreaterThan(Date.now() + 590_000);

    // Once the token has expired, calls in the backoff window fail at once, saying when the next attempt is.
    await age(c.id, 400_000);
    const expired = await Promise.all(Array.from({ length: 10 }, () => invoke(c.link)));
    for (const r of expired)
      expect(r.errors?.[0]?.extensions).toMatchObject({
        code: 'REFRESH_FAILED',
        retryAt: failed.nextRefreshAt!.toISOString(),
      });
    expect(endpoint.requests).toBe(before + 1);

    // The window ends while the provider is still down: one more attempt, and a longer window.
    await endBackoff(c.id);
    await Promise.all(Array.from({ length: 10 }, () => invoke(c.link)));
    expect(endpoint.requests).toBe(before + 2);
    expect(await row(c.id)).toMatchObject({ status: 'REFRESH_FAILED', refreshFailures: 2 });

    // The provider is back: the first call after the window refreshes and the streak is over.
    endpoint.mode = 'forward';
    await endBackoff(c.id);
    expect(ok(await invoke(c.link)).invokeUrl.status).toBe(200);
    expect(endpoint.requests).toBe(before + 3);
    expect(await row(c.id)).toMatchObject({ status: 'CONNECTED', refreshFailures: 0, nextRefreshAt: null });
  });

  test('the first NEEDS_AUTHORIZATION raised by a failed refresh carries connectUrl', async () => {
    const c = await connect('Revoked upstream', slugs.direct);
    const { refreshToken } = await stored(c.id);
    const revoke = await request(oidc.revokeUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`connections:${SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: refreshToken!, token_type_hint: 'refresh_token' }).toString(),
    });
    await revoke.body.dump();
    await age(c.id, 400_000);
    const first = await invoke(c.link);
    expect(first.errors?.[0]?.message).toMatch(/invalid_grant/);
    expect(first.errors?.[0]?.extensions).toMatchObject({
      code: 'NEEDS_AUTHORIZATION',
      connectUrl: `${t.url}/connections/${c.id}`,
      linkName: c.link,
      status: 'NEEDS_REAUTH',
    });
    expect((await invoke(c.link)).errors?.[0]?.extensions?.connectUrl).toBe(`${t.url}/connections/${c.id}`);
  });

  test('scope drift: a provider granting fewer scopes than requested is visible, once per change', async () => {
    const c = await connect('Drift', slugs.drift);
    const event = await log.waitFor((e) => e.connectionId === c.id && e.type === 'SCOPES_MISSING');
    expect(event.message).toContain('contacts.write');
    expect(await status(c.id)).toMatchObject({
      status: 'CONNECTED',
      authorization: {
        grantedScopes: expect.not.arrayContaining(['contacts.write']),
        missingScopes: ['contacts.write'],
      },
    });
    expect(await auditCount(c.id, 'authorization.SCOPES_MISSING')).toBe(1);

    // A refresh that grants the same: no new event.
    await age(c.id, 200_000);
    expect(ok(await invoke(c.link)).invokeUrl.status).toBe(200);
    expect(await auditCount(c.id, 'authorization.REFRESHED')).toBe(1);
    expect(await auditCount(c.id, 'authorization.SCOPES_MISSING')).toBe(1);

    // A refresh that grants less than before: a new event naming both, then none while it stays so.
    endpoint.dropScope = 'email';
    for (let i = 0; i < 2; i++) {
      await age(c.id, 200_000);
      expect(ok(await invoke(c.link)).invokeUrl.status).toBe(200);
    }
    endpoint.dropScope = undefined;
    expect(await auditCount(c.id, 'authorization.REFRESHED')).toBe(3);
    expect(await auditCount(c.id, 'authorization.SCOPES_MISSING')).toBe(2);
    expect((await status(c.id)).authorization.missingScopes).toEqual(['email', 'contacts.write']);
  });

  test('rows stored before the refresh columns existed get them from their credentials at the next start', async () => {
    const c = await connect('Stored earlier', slugs.direct);
    const expected = await row(c.id);
    expect(expected.hasRefreshToken).toBe(true);
    await write(c.id, { hasRefreshToken: null, refreshDueAt: null });
    const restarted = await startTestServer(db, {}, { replicaOf: t });
    try {
      expect(await row(c.id)).toMatchObject({ hasRefreshToken: true, refreshDueAt: expected.refreshDueAt });
    } finally {
      await restarted.close();
    }
  });

  test('hasRefreshToken: false without offline_access, where the access simply ends at expiresAt', async () => {
    const c = await connect('Access only', slugs.noRefresh);
    expect(await status(c.id)).toMatchObject({
      status: 'CONNECTED',
      authorization: { hasRefreshToken: false, expiresAt: expect.any(String), missingScopes: [] },
    });
  });
});
