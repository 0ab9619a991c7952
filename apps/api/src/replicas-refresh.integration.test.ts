import type { Credentials } from '@connections/auth-flows';
import { Browser } from '@connections/auth-flows/test-support/browser';
import { type OidcServer, startOidcServer } from '@connections/auth-flows/test-support/oidc';
import { Client } from 'pg';
import { request } from 'undici';
import { loadConfig } from './config';
import { parseKey, SecretBox } from './crypto/secret-box';
import { createDataSource } from './db/data-source';
import { AuthorizationRow } from './db/entities';
import { openCredentials } from './domain/credentials-store';
import { REPLICA_HEADER } from './test-support/balancer';
import { gqlAt, ok, signInAt } from './test-support/cluster-clients';
import { startTokenProxy, type TokenProxy } from './test-support/refresh-proxy';
import { type Cluster, clusterAvailable, type Replica, startCluster } from './test-support/replicas';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './test-support/server';
import { startUpstream, type Upstream } from './test-support/upstream';
import { waitFor } from './test-support/wait';

jest.setTimeout(120_000);

// Refresh single-flight across three replicas (separate processes) against the real oidc-provider with
// rotating refresh tokens, whose authorization-code access tokens live 2 s: a freshly connected token is
// soon expired at the provider itself. Refresh requests go through a proxy (test-support/refresh-proxy.ts)
// that records every refresh token presented, so reuse is visible, and that can hold one request so the
// replica sending it can be killed while it holds the refresh lock. The API upstream accepts a bearer token
// only when the provider's userinfo endpoint does.

const CLIENT_SECRET = 'replicas-refresh-client-secret-3390';
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';
const STATUS = 'query($id: ID) { connection(id: $id) { status authorization { status lastError } } }';
const BURST = 60;

/** `promise`, or a failure naming what did not happen within `ms`: no step of these tests waits unbounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const describeCluster = clusterAvailable() ? describe : describe.skip;

describeCluster('refresh across three replicas', () => {
  let cluster: Cluster;
  let oidc: OidcServer;
  let proxy: TokenProxy;
  let api: Upstream;
  let token: string;
  let slug: string;
  let db: ReturnType<typeof createDataSource>;
  let box: SecretBox;
  /** Bearer tokens the API saw, by link name. */
  const seen = new Map<string, string[]>();

  const gql = (base: Replica | string, query: string, variables: Record<string, unknown> = {}) =>
    gqlAt(typeof base === 'string' ? base : base.url, query, variables, { token });
  const refreshesAtProvider = async () => (await oidc.stats()).byGrantType.refresh_token ?? 0;
  const userinfoStatus = async (accessToken: string) => {
    const res = await request(oidc.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` } });
    await res.body.dump();
    return res.statusCode;
  };
  const stored = async (connectionId: string) => {
    const row = await db.getRepository(AuthorizationRow).findOneByOrFail({ connectionId });
    const c = openCredentials(box, row) as Credentials;
    if (c?.type !== 'OAUTH2') throw new Error('not OAuth 2.0 credentials');
    return c;
  };
  const status = async (id: string) => ok(await gql(cluster.balancer.url, STATUS, { id })).connection;

  /**
   * Runs an OAuth flow wholly on replica `r` (start, and the provider's redirect delivered to it too), so
   * these tests do not depend on flows crossing replicas; resolves once the access token is expired at
   * the provider.
   */
  const authorizeOn = async (r: Replica, authorizeUrl: string, connectionId: string) => {
    const { url } = cluster.balancer;
    const browser = new Browser();
    const atCallback = await browser.follow(authorizeUrl.replace(url, r.url), (to) =>
      to.startsWith(`${url}/oauth/callback`),
    );
    const landed = await browser.follow(atCallback.stoppedAt!.replace(url, r.url));
    expect(landed.text).toContain('Connected');
    const first = await stored(connectionId);
    expect(first.refreshToken).toEqual(expect.any(String));
    await waitFor(async () => (await userinfoStatus(first.accessToken)) === 401, { timeoutMs: 10_000 });
    return first;
  };
  const connectExpired = async (r: Replica, name: string) => {
    const started = ok(
      await gql(
        r,
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl connection { id linkName } } }',
        { i: { name, service: slug } },
      ),
    ).createAndConnect;
    const { id, linkName } = started.connection as { id: string; linkName: string };
    return { id, link: linkName, first: await authorizeOn(r, started.authorizeUrl, id) };
  };

  /** BURST calls through the balancer (so spread over the replicas), half invokeUrl, half /proxy. */
  const burst = (link: string) =>
    Array.from({ length: BURST }, async (_, i) => {
      const { url } = cluster.balancer;
      if (i % 2) {
        const r = await gql(url, INVOKE, { i: { connection: link, url: `${link}/me` } });
        const replica = Number(r.headers.get(REPLICA_HEADER));
        return { replica, status: r.data?.invokeUrl?.status ?? r.status, detail: r.raw.slice(0, 300) };
      }
      const res = await fetch(`${url}/proxy/${link}/${link}/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const detail = (await res.text()).slice(0, 300);
      return { replica: Number(res.headers.get(REPLICA_HEADER)), status: res.status, detail };
    });

  beforeAll(async () => {
    cluster = await startCluster(3);
    const env = cluster.env;
    box = new SecretBox(parseKey(env.CONNECTIONS_ENCRYPTION_KEY!, 'key'));
    // Read-only access to the replicas' schema, to see the stored (sealed) tokens.
    db = createDataSource(
      loadConfig({ NODE_ENV: 'test', DATABASE_URL: env.DATABASE_URL, DATABASE_SCHEMA: env.DATABASE_SCHEMA }),
    );
    await db.initialize();
    oidc = await startOidcServer(
      [
        {
          client_id: 'connections',
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${cluster.balancer.url}/oauth/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      { codeAccessTokenTtlSeconds: 2 },
    );
    proxy = await startTokenProxy(oidc.tokenUrl);
    api = await startUpstream(async (req, res) => {
      const link = req.url!.split('/')[2]!;
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      seen.set(link, [...(seen.get(link) ?? []), bearer]);
      const live = (await userinfoStatus(bearer)) === 200;
      res.writeHead(live ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(live ? { ok: true } : { error: 'invalid_token' }));
    });
    const [A] = cluster.replicas as [Replica];
    const admin = await signInAt(A.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    token = ok(
      await gqlAt(A.url, 'mutation { createApiToken(input: {name: "refresh"}) { token } }', {}, admin),
    ).createApiToken.token;
    slug = ok(
      await gql(A, 'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }', {
        i: {
          name: 'Rotating',
          authType: 'OAUTH2',
          authorizeUrl: oidc.authorizeUrl,
          accessTokenUrl: oidc.tokenUrl,
          refreshUrl: proxy.url,
          profileUrl: oidc.userinfoUrl,
          clientId: 'connections',
          clientSecret: CLIENT_SECRET,
          scopes: ['openid', 'offline_access'],
          authorizeParams: { prompt: 'consent' },
          apiBaseUrls: [`${api.url}/api/`],
        },
      }),
    ).createCustomService.slug;
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await oidc?.stop();
    await db?.destroy();
    await cluster?.stop();
  });

  const clusterTest = (name: string, fn: () => Promise<void>) => test(name, () => cluster.explained(fn)());

  /** The burst's outcome: every call answered 200 with the one new token, and one refresh at the provider. */
  const expectOneRefresh = async (c: { id: string; link: string }, before: number, calls: number) => {
    expect(await refreshesAtProvider()).toBe(before + 1);
    expect(proxy.reused()).toEqual([]);
    const after = await stored(c.id);
    const tokens = seen.get(c.link) ?? [];
    expect(tokens).toHaveLength(calls);
    expect(new Set(tokens)).toEqual(new Set([after.accessToken]));
    expect(await status(c.id)).toMatchObject({ status: 'CONNECTED', authorization: { lastError: null } });
    return after;
  };

  clusterTest(
    `${BURST} calls on an expired token spread over the replicas: one refresh, twice in a row`,
    async () => {
      const [A, B] = cluster.replicas as [Replica, Replica];
      const c = await connectExpired(A, 'Busy');
      let before = await refreshesAtProvider();
      let results = await Promise.all(burst(c.link));
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(new Set(results.map((r) => r.replica))).toEqual(new Set([0, 1, 2]));
      const once = await expectOneRefresh(c, before, BURST);
      expect(once.refreshToken).not.toBe(c.first.refreshToken);

      // Again, on a fresh expired token: re-authorize (on B this time), wait for expiry, burst.
      const again = ok(
        await gql(B, 'mutation($id: ID!) { connect(connectionId: $id) { authorizeUrl } }', { id: c.id }),
      ).connect;
      const second = await authorizeOn(B, again.authorizeUrl, c.id);
      expect(second.refreshToken).not.toBe(once.refreshToken);
      seen.delete(c.link);
      before = await refreshesAtProvider();
      results = await Promise.all(burst(c.link));
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      const twice = await expectOneRefresh(c, before, BURST);
      expect(twice.refreshToken).not.toBe(second.refreshToken);
    },
  );

  /** Lock waiters in PostgreSQL (advisory locks not granted): other replicas queued behind the holder. */
  const lockWaiters = async () => {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const r = await client.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
      );
      return r.rows[0].n as number;
    } finally {
      await client.end();
    }
  };

  clusterTest(
    'kill -9 of the replica holding the refresh lock: the others recover within 30 s, no reuse',
    async () => {
      const c = await connectExpired(cluster.replicas[2]!, 'Survivor');
      const before = await refreshesAtProvider();
      const forwardedBefore = proxy.forwarded.length;
      const held = proxy.holdNext();
      const calls = burst(c.link);
      const request = await within(held, 15_000, 'a refresh request at the token proxy');
      const proxyPort = Number(new URL(proxy.url).port);
      const holder = cluster.ownerOf(request.remotePort, proxyPort);
      if (!holder) throw new Error(`no replica owns the connection from port ${request.remotePort}`);
      expect(request.refreshToken).toBe(c.first.refreshToken);
      // The other replicas are queued on the lock before the holder dies (best effort: a lock that is not a
      // PostgreSQL advisory lock shows no waiters, and the test then goes on without this evidence).
      await waitFor(async () => (await lockWaiters()) >= 2, { timeoutMs: 5000 }).catch(() => {});

      await holder.kill9();
      cluster.balancer.markDead(holder.index);
      const killedAt = Date.now();
      await within(request.closed, 10_000, "the killed holder's token request closing");
      const results = await within(Promise.all(calls), 30_000, 'every call answered after the kill');
      const recoveredInMs = Date.now() - killedAt;

      const survivors = results.filter((r) => r.replica !== holder.index);
      expect(survivors.length).toBeGreaterThan(0);
      expect(survivors.filter((r) => r.status !== 200)).toEqual([]);
      expect(recoveredInMs).toBeLessThan(30_000);
      // The held request never reached the provider; one survivor presented the same, unspent, refresh token.
      expect(proxy.forwarded.slice(forwardedBefore)).toEqual([c.first.refreshToken]);
      expect(proxy.reused()).toEqual([]);
      expect(await refreshesAtProvider()).toBe(before + 1);
      const after = await stored(c.id);
      expect(new Set(seen.get(c.link))).toEqual(new Set([after.accessToken]));
      expect(await status(c.id)).toMatchObject({ status: 'CONNECTED', authorization: { lastError: null } });
      // The grant is alive at the provider: the new token is accepted there.
      expect(await userinfoStatus(after.accessToken)).toBe(200);
    },
  );
});
