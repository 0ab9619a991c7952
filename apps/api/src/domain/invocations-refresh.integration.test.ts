import type { Credentials } from '@connections/auth-flows';
import { Browser } from '@connections/auth-flows/test-support/browser';
import { type OidcServer, startOidcServer } from '@connections/auth-flows/test-support/oidc';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { parseKey, SecretBox } from '../crypto/secret-box';
import { AuthorizationRow } from '../db/entities';
import { type EventLog, subscribeEvents } from '../test-support/events';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream, until } from '../test-support/upstream';
import { openCredentials, sealCredentials } from './credentials-store';

jest.setTimeout(120_000);

// Refresh during invocations against a real authorization server: oidc-provider with rotating refresh
// tokens, whose authorization-code access tokens live 2 s, so a freshly connected token is soon expired
// at the provider itself, not merely marked so. The API upstream accepts a bearer token only when the
// provider's userinfo endpoint does.

const CLIENT_SECRET = 'oidc-refresh-client-secret-5521';
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';
const STATUS = 'query($id: ID) { connection(id: $id) { status authorization { status lastError } } }';

/** A token endpoint in front of the provider's that answers 503 while `failing`, and forwards otherwise. */
async function startFlakyTokenEndpoint(target: string) {
  const state = { failing: false, requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (state.failing) {
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
        return res.end('Service Unavailable');
      }
      const headers = { ...req.headers };
      delete headers.host;
      void request(target, { method: 'POST', headers, body: Buffer.concat(chunks) }).then(
        async (up) => {
          res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? '') });
          res.end(Buffer.from(await up.body.arrayBuffer()));
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  });
}

describe.each(databases())('invocations: token refresh (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let api: Upstream;
  let flaky: Awaited<ReturnType<typeof startFlakyTokenEndpoint>>;
  let token: string;
  let box: SecretBox;
  let ws: ReturnType<TestServer['ws']>;
  let log: EventLog;
  const slugs = { rotating: '', flaky: '' };
  /** Bearer tokens the API saw, by link name, and how many it refused. */
  const tokensSeen = new Map<string, string[]>();
  let refused = 0;
  /** Tokens the API refuses although the provider still accepts them. */
  const apiRejects = new Set<string>();

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const userinfoStatus = async (accessToken: string) => {
    const res = await request(oidc.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` } });
    await res.body.dump();
    return res.statusCode;
  };
  const refreshCount = async () => (await oidc.stats()).byGrantType.refresh_token ?? 0;
  const stored = async (connectionId: string) => {
    const row = await t.server.ds.getRepository(AuthorizationRow).findOneByOrFail({ connectionId });
    const c = openCredentials(box, row) as Credentials;
    if (c?.type !== 'OAUTH2') throw new Error('not OAuth 2.0 credentials');
    return { status: row.status, ...c };
  };
  const status = async (id: string) => ok(await t.gql(STATUS, { id }, { token })).connection;
  /** The backoff after a failed refresh has run out (as if its time had passed). */
  const endBackoff = async (connectionId: string) => {
    await t.server.ds
      .getRepository(AuthorizationRow)
      .update({ connectionId }, { nextRefreshAt: new Date(Date.now() - 1) });
    t.server.services.invalidator.invalidate('connection', connectionId);
  };
  const auditCount = async (connectionId: string, action: string) =>
    ok(
      await t.gql(
        'query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { nodes { id } } }',
        { f: { connectionId, action } },
        { token },
      ),
    ).auditEvents.nodes.length as number;
  // The API's paths start with the link name, so it can tell whose token it saw.
  const invoke = (link: string, path = 'me') =>
    t.gql(INVOKE, { i: { connection: link, url: `${link}/${path}` } }, { token });
  const proxy = (link: string, path = 'me') =>
    fetch(`${t.url}/proxy/${link}/${link}/${path}`, { headers: { authorization: `Bearer ${token}` } });

  /** Creates and connects through the provider's consent page; resolves once its token is expired there. */
  const connectExpired = async (name: string, service: string) => {
    const r = ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl connection { id linkName } } }',
        { i: { name, service } },
        { token },
      ),
    ).createAndConnect;
    expect((await new Browser().follow(r.authorizeUrl)).text).toContain('Connected');
    const first = await stored(r.connection.id);
    // offline_access plus the service's authorizeParams {prompt: consent}: the provider issued a refresh token.
    expect(first.refreshToken).toEqual(expect.any(String));
    await until(async () => (await userinfoStatus(first.accessToken)) === 401);
    return { id: r.connection.id as string, link: r.connection.linkName as string, first };
  };

  beforeAll(async () => {
    // A ten-minute backoff floor: within a test, a failed refresh is never retried unless the test ends the
    // backoff itself (endBackoff), so the token-request counts below are exact.
    t = await startTestServer(db, {
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
      CONNECTIONS_REFRESH_BACKOFF_BASE_SECONDS: '600',
    });
    box = new SecretBox(parseKey(t.env.CONNECTIONS_ENCRYPTION_KEY!, 'key'));
    oidc = await startOidcServer(
      [
        {
          client_id: 'connections',
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${t.url}/oauth/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      { codeAccessTokenTtlSeconds: 2 },
    );
    flaky = await startFlakyTokenEndpoint(oidc.tokenUrl);
    api = await startUpstream(async (req, res) => {
      const link = req.url!.split('/')[2]!;
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      tokensSeen.set(link, [...(tokensSeen.get(link) ?? []), bearer]);
      const live =
        !req.url!.includes('/always-401') &&
        !apiRejects.has(bearer) &&
        (await userinfoStatus(bearer)) === 200;
      if (!live) refused += 1;
      res.writeHead(live ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(live ? { ok: true } : { error: 'invalid_token' }));
    });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "refresh"}) { token } }', {}, admin))
      .createApiToken.token;
    const service = async (name: string, extra: Record<string, unknown>) =>
      ok(
        await t.gql(
          'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug authorizeParams } }',
          {
            i: {
              name,
              authType: 'OAUTH2',
              authorizeUrl: oidc.authorizeUrl,
              accessTokenUrl: oidc.tokenUrl,
              profileUrl: oidc.userinfoUrl,
              clientId: 'connections',
              clientSecret: CLIENT_SECRET,
              scopes: ['openid', 'offline_access'],
              authorizeParams: { prompt: 'consent' },
              apiBaseUrls: [`${api.url}/api/`],
              ...extra,
            },
          },
          { token },
        ),
      ).createCustomService;
    const rotating = await service('Rotating', {});
    expect(rotating.authorizeParams).toEqual({ prompt: 'consent' });
    slugs.rotating = rotating.slug;
    slugs.flaky = (await service('Flaky refresh', { refreshUrl: flaky.url })).slug;
    ws = t.ws({ token });
    log = await subscribeEvents(ws);
  });
  afterAll(async () => {
    log?.stop();
    await ws?.dispose();
    await flaky?.close();
    await api?.close();
    await oidc?.stop();
    await t?.close();
  });

  let shared: { id: string; link: string };

  test('50 concurrent invocations on an expired token: all succeed, one refresh, still CONNECTED', async () => {
    const c = await connectExpired('Busy', slugs.rotating);
    shared = c;
    const before = await refreshCount();
    const calls = Array.from({ length: 50 }, (_, i) =>
      i % 2
        ? invoke(c.link).then((r) => ok(r).invokeUrl.status as number)
        : proxy(c.link).then(async (r) => (await r.text(), r.status)),
    );
    expect(await Promise.all(calls)).toEqual(Array(50).fill(200));

    expect(await refreshCount()).toBe(before + 1);
    // Refreshed before sending: the API never saw the expired token, and every call used the new one.
    const seen = tokensSeen.get(c.link) ?? [];
    const after = await stored(c.id);
    expect(refused).toBe(0);
    expect(seen).toHaveLength(50);
    expect(new Set(seen)).toEqual(new Set([after.accessToken]));
    expect(after.accessToken).not.toBe(c.first.accessToken);
    // The rotated refresh token was stored with the access token: the old one is spent at the provider.
    expect(after.refreshToken).toEqual(expect.any(String));
    expect(after.refreshToken).not.toBe(c.first.refreshToken);
    expect(await status(c.id)).toMatchObject({ status: 'CONNECTED', authorization: { lastError: null } });
    await log.waitFor((e) => e.connectionId === c.id && e.type === 'REFRESHED');
    expect(log.events.filter((e) => e.connectionId === c.id && e.type === 'REFRESHED')).toHaveLength(1);
  });

  test('a 401 on an unexpired token: one refresh and a single retry', async () => {
    // The API stops accepting the current access token (as after a password change) while its expiry
    // still says it is fine.
    const current = await stored(shared.id);
    apiRejects.add(current.accessToken);
    const before = await refreshCount();
    const seenBefore = tokensSeen.get(shared.link)!.length;
    refused = 0;
    expect(ok(await invoke(shared.link)).invokeUrl.status).toBe(200);
    expect(await refreshCount()).toBe(before + 1);
    const seen = tokensSeen.get(shared.link)!.slice(seenBefore);
    expect(seen).toEqual([current.accessToken, (await stored(shared.id)).accessToken]);
    expect(refused).toBe(1);

    // An API that refuses every token: still one refresh and one retry, then its 401 goes to the caller.
    const again = await refreshCount();
    const n = tokensSeen.get(shared.link)!.length;
    expect(ok(await invoke(shared.link, 'always-401')).invokeUrl.status).toBe(401);
    expect(tokensSeen.get(shared.link)!.length - n).toBe(2);
    expect(await refreshCount()).toBe(again + 1);
    expect((await status(shared.id)).status).toBe('CONNECTED');
  });

  test('a revoked grant (invalid_grant): NEEDS_REAUTH and one event, however many calls were waiting', async () => {
    const c = await connectExpired('Revoked', slugs.rotating);
    const revoke = await request(oidc.revokeUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`connections:${CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        token: c.first.refreshToken!,
        token_type_hint: 'refresh_token',
      }).toString(),
    });
    expect(revoke.statusCode).toBe(200);
    await revoke.body.dump();

    const before = await refreshCount();
    const results = await Promise.all(Array.from({ length: 10 }, () => invoke(c.link)));
    for (const r of results)
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'NEEDS_AUTHORIZATION', linkName: c.link });
    expect(results.some((r) => /invalid_grant/.test(r.errors![0]!.message))).toBe(true);
    // One token request: callers that waited joined it, later ones read NEEDS_REAUTH and did not ask again.
    expect(await refreshCount()).toBe(before + 1);
    expect(await auditCount(c.id, 'authorization.NEEDS_REAUTH')).toBe(1);
    expect(await status(c.id)).toMatchObject({
      status: 'NEEDS_REAUTH',
      authorization: { status: 'NEEDS_REAUTH' },
    });
    const event = await log.waitFor((e) => e.connectionId === c.id && e.type === 'NEEDS_REAUTH');
    expect(event).toMatchObject({ status: 'NEEDS_REAUTH', linkName: c.link });
    expect(tokensSeen.get(c.link)).toBeUndefined();

    // From now on the call is refused at once, with the URL to reconnect, and the provider is left alone.
    const viaProxy = await proxy(c.link);
    expect(viaProxy.status).toBe(409);
    expect(((await viaProxy.json()) as any).error).toMatchObject({
      code: 'NEEDS_AUTHORIZATION',
      connectUrl: `${t.url}/connections/${c.id}`,
      status: 'NEEDS_REAUTH',
    });
    expect(await refreshCount()).toBe(before + 1);
  });

  let flakyConnection: { id: string; link: string };
  let transientFailures = 0;

  test('a token endpoint answering 503 gives REFRESH_FAILED (one event per failed refresh); the next call recovers', async () => {
    const c = await connectExpired('Flaky', slugs.flaky);
    flakyConnection = c;
    flaky.failing = true;
    flaky.requests = 0;
    const results = await Promise.all(Array.from({ length: 10 }, () => invoke(c.link)));
    for (const r of results)
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'REFRESH_FAILED', linkName: c.link });
    // Concurrent callers share a refresh, and a caller that came after the failure finds its backoff running:
    // one token request, one event, never one per waiting caller.
    expect(flaky.requests).toBe(1);
    expect(await auditCount(c.id, 'authorization.REFRESH_FAILED')).toBe(1);
    transientFailures += flaky.requests;
    expect(await status(c.id)).toMatchObject({ status: 'REFRESH_FAILED' });
    await log.waitFor((e) => e.connectionId === c.id && e.type === 'REFRESH_FAILED');
    expect(tokensSeen.get(c.link)).toBeUndefined();

    flaky.failing = false;
    await endBackoff(c.id);
    const failedRequests = flaky.requests;
    const viaProxy = await proxy(c.link);
    expect(viaProxy.status).toBe(200);
    await viaProxy.text();
    expect(flaky.requests).toBe(failedRequests + 1);
    expect(await status(c.id)).toMatchObject({ status: 'CONNECTED', authorization: { lastError: null } });
    await log.waitFor((e) => e.connectionId === c.id && e.type === 'REFRESHED');
    expect(tokensSeen.get(c.link)).toEqual([(await stored(c.id)).accessToken]);
  });

  test('a refresh ahead of expiry that fails for a passing reason does not fail a call its token can make', async () => {
    // The token the provider issued on refresh lives an hour; record it as issued 58 minutes ago and expiring
    // in two minutes: inside the refresh margin, not expired.
    const c = flakyConnection;
    const row = await t.server.ds.getRepository(AuthorizationRow).findOneByOrFail({ connectionId: c.id });
    const [issuedAt, expiresAt] = [Date.now() - 58 * 60_000, Date.now() + 120_000];
    const soon = { ...(openCredentials(box, row) as Credentials), issuedAt, expiresAt };
    await t.server.ds
      .getRepository(AuthorizationRow)
      .update(
        { id: row.id },
        { credentialsEncrypted: sealCredentials(box, row.id, soon), expiresAt: new Date(soon.expiresAt) },
      );
    flaky.failing = true;
    const before = flaky.requests;
    expect(ok(await invoke(c.link)).invokeUrl.status).toBe(200);
    expect(flaky.requests).toBe(before + 1);
    transientFailures += 1;
    expect(await status(c.id)).toMatchObject({ status: 'REFRESH_FAILED' });

    // The endpoint is back and the backoff over: the next call refreshes and the authorization is CONNECTED.
    flaky.failing = false;
    await endBackoff(c.id);
    expect(ok(await invoke(c.link)).invokeUrl.status).toBe(200);
    expect(flaky.requests).toBe(before + 2);
    expect(await status(c.id)).toMatchObject({ status: 'CONNECTED' });
  });

  test('GET /metrics counts refreshes by outcome and authorizations by status', async () => {
    const text = await t.metrics();
    expect(text).toMatch(/connections_token_refreshes_total\{outcome="refreshed"\} 5/);
    expect(text).toMatch(/connections_token_refreshes_total\{outcome="terminal_failure"\} 1/);
    expect(text).toContain(
      `connections_token_refreshes_total{outcome="transient_failure"} ${transientFailures}`,
    );
    expect(text).toMatch(/connections_authorizations\{status="NEEDS_REAUTH"\} 1/);
    expect(text).toMatch(/connections_authorizations\{status="CONNECTED"\} 2/);
    expect(text).toMatch(/connections_invocations_total\{connection="busy",outcome="2xx"\} 51/);
    expect(text).toMatch(
      /connections_invocations_total\{connection="revoked",outcome="NEEDS_AUTHORIZATION"\} 11/,
    );
    expect(text).toMatch(/connections_invocations_total\{connection="flaky",outcome="REFRESH_FAILED"\} 10/);
    expect(text).toMatch(/connections_invocations_total\{connection="flaky",outcome="2xx"\} 3/);
    expect(text).not.toContain(CLIENT_SECRET);
  });
});
