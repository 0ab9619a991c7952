import type { OAuth2Credentials } from '@connections/auth-flows';
import { Browser } from '@connections/auth-flows/test-support/browser';
import { type OidcServer, startOidcServer } from '@connections/auth-flows/test-support/oidc';
import { randomBytes } from 'node:crypto';
import { parseKey, SecretBox } from '../crypto/secret-box';
import { AuthorizationRow } from '../db/entities';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';
import { waitFor } from '../test-support/wait';
import { openCredentials, sealCredentials } from './credentials-store';
import { tokenColumns } from './refresh-state';

jest.setTimeout(120_000);

// The background refresh against oidc-provider issuing 300 s access tokens. The first server runs it only when
// the test says (its schedule's first run is half an hour away); the second on a one-second schedule.

const SECRET = 'background-refresh-client-secret';
const MINUTE = 60_000;

interface Harness {
  t: TestServer;
  token: string;
  box: SecretBox;
}

function helpers(h: () => Harness, oidc: () => OidcServer, apiUrl: () => string) {
  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const gql = (q: string, v: Record<string, unknown>) => h().t.gql(q, v, { token: h().token });
  const row = (connectionId: string) =>
    h().t.server.ds.getRepository(AuthorizationRow).findOneByOrFail({ connectionId });
  const accessToken = async (id: string) =>
    (openCredentials(h().box, await row(id)) as OAuth2Credentials).accessToken;
  return {
    ok,
    row,
    accessToken,
    refreshes: async () => (await oidc().stats()).byGrantType.refresh_token ?? 0,
    invoke: async (link: string) =>
      expect(
        ok(
          await gql('mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }', {
            i: { connection: link, url: 'me' },
          }),
        ).invokeUrl.status,
      ).toBe(200),
    /** Rewrites the stored 300 s token as issued `ageMs` ago, and announces the change. */
    age: async (connectionId: string, ageMs: number, extra: Partial<AuthorizationRow> = {}) => {
      const r = await row(connectionId);
      const c = openCredentials(h().box, r) as OAuth2Credentials;
      const aged = { ...c, issuedAt: Date.now() - ageMs, expiresAt: Date.now() - ageMs + 300_000 };
      await h()
        .t.server.ds.getRepository(AuthorizationRow)
        .update(
          { id: r.id },
          { credentialsEncrypted: sealCredentials(h().box, r.id, aged), ...tokenColumns(aged), ...extra },
        );
      h().t.server.services.invalidator.invalidate('connection', connectionId);
    },
    service: async () =>
      ok(
        await gql('mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }', {
          i: {
            name: 'Keycloak-like',
            authType: 'OAUTH2',
            authorizeUrl: oidc().authorizeUrl,
            accessTokenUrl: oidc().tokenUrl,
            profileUrl: oidc().userinfoUrl,
            clientId: 'connections',
            clientSecret: SECRET,
            scopes: ['openid', 'offline_access'],
            authorizeParams: { prompt: 'consent' },
            apiBaseUrls: [`${apiUrl()}/api/`],
          },
        }),
      ).createCustomService.slug as string,
    connect: async (name: string, service: string) => {
      const r = ok(
        await gql(
          'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl connection { id linkName } } }',
          { i: { name, service } },
        ),
      ).createAndConnect;
      expect((await new Browser().follow(r.authorizeUrl)).text).toContain('Connected');
      return { id: r.connection.id as string, link: r.connection.linkName as string };
    },
  };
}

async function harness(
  db: Parameters<typeof startTestServer>[0],
  env: Record<string, string>,
): Promise<Harness> {
  const t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true', ...env });
  const admin = await t.adminAuth();
  const r = await t.gql('mutation { createApiToken(input: {name: "bg"}) { token } }', {}, admin);
  return {
    t,
    token: r.data!.createApiToken.token,
    box: new SecretBox(parseKey(t.env.CONNECTIONS_ENCRYPTION_KEY!, 'key')),
  };
}

describe.each(databases())('background token refresh (%s)', (db) => {
  let manual: Harness;
  let scheduled: Harness;
  let oidc: OidcServer;
  let api: Upstream;
  const m = helpers(
    () => manual,
    () => oidc,
    () => api.url,
  );
  const s = helpers(
    () => scheduled,
    () => oidc,
    () => api.url,
  );

  beforeAll(async () => {
    manual = await harness(db, {
      CONNECTIONS_BACKGROUND_REFRESH: 'true',
      CONNECTIONS_BACKGROUND_REFRESH_INTERVAL_SECONDS: '3600',
      CONNECTIONS_BACKGROUND_REFRESH_BATCH: '2',
    });
    scheduled = await harness(db, {
      CONNECTIONS_BACKGROUND_REFRESH: 'true',
      CONNECTIONS_BACKGROUND_REFRESH_INTERVAL_SECONDS: '1',
    });
    oidc = await startOidcServer(
      [
        {
          client_id: 'connections',
          client_secret: SECRET,
          redirect_uris: [`${manual.t.url}/oauth/callback`, `${scheduled.t.url}/oauth/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
        },
        {
          client_id: 'machine',
          client_secret: SECRET,
          redirect_uris: [],
          response_types: [],
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'api:read',
        },
      ],
      { accessTokenTtlSeconds: 300 },
    );
    api = await startUpstream((_req, res) => void res.writeHead(200).end('{}'));
  });
  afterAll(async () => {
    await api?.close();
    await oidc?.stop();
    await manual?.t.close();
    await scheduled?.t.close();
  });

  test('each run refreshes a bounded batch of used, due tokens, soonest due first; idle ones are left to their calls', async () => {
    const job = manual.t.server.backgroundRefresh!;
    const service = await m.service();
    const [a, b, c, idle] = [
      await m.connect('A', service),
      await m.connect('B', service),
      await m.connect('C', service),
      await m.connect('Idle', service),
    ];
    for (const x of [a, b, c]) await m.invoke(x.link);
    // Uses are recorded off the call's path.
    await waitFor(async () =>
      (await Promise.all([a, b, c].map((x) => m.row(x.id)))).every((r) => r.lastUsedAt),
    );
    expect((await m.row(idle.id)).lastUsedAt).toBeNull();
    // Fresh 300 s tokens are due in 150 s: not within the next minute.
    expect(await job.runOnce(Date.now(), MINUTE)).toEqual({ candidates: 0, failed: 0 });

    await m.age(a.id, 250_000);
    await m.age(b.id, 200_000);
    await m.age(c.id, 220_000);
    await m.age(idle.id, 250_000);
    const tokens = {
      a: await m.accessToken(a.id),
      b: await m.accessToken(b.id),
      c: await m.accessToken(c.id),
    };
    const before = await m.refreshes();
    expect(await job.runOnce(Date.now(), MINUTE)).toEqual({ candidates: 2, failed: 0 });
    expect(await m.refreshes()).toBe(before + 2);
    expect(await m.accessToken(a.id)).not.toBe(tokens.a);
    expect(await m.accessToken(c.id)).not.toBe(tokens.c);
    expect(await m.accessToken(b.id)).toBe(tokens.b);
    expect(await job.runOnce(Date.now(), MINUTE)).toEqual({ candidates: 1, failed: 0 });
    expect(await m.accessToken(b.id)).not.toBe(tokens.b);
    expect(await job.runOnce(Date.now(), MINUTE)).toEqual({ candidates: 0, failed: 0 });
    expect(await m.refreshes()).toBe(before + 3);
    expect((await m.row(idle.id)).status).toBe('CONNECTED');

    // Two runs at once (as on two replicas): every due token is refreshed once.
    await m.age(a.id, 200_000);
    await m.age(b.id, 200_000);
    await Promise.all([job.runOnce(Date.now(), MINUTE), job.runOnce(Date.now(), MINUTE)]);
    expect(await m.refreshes()).toBe(before + 5);

    // A backoff after a failed refresh holds for the background refresh too.
    await m.age(c.id, 250_000, { status: 'REFRESH_FAILED', nextRefreshAt: new Date(Date.now() + MINUTE) });
    expect(await job.runOnce(Date.now(), MINUTE)).toEqual({ candidates: 0, failed: 0 });
    expect(await m.refreshes()).toBe(before + 5);
  });

  test('a client-credentials token (no refresh token) in use is renewed ahead of its calls', async () => {
    const job = manual.t.server.backgroundRefresh!;
    const gql = (q: string, v: Record<string, unknown>) => manual.t.gql(q, v, { token: manual.token });
    const slug = m.ok(
      await gql('mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }', {
        i: {
          name: 'Machine background',
          authType: 'OAUTH2',
          grantType: 'CLIENT_CREDENTIALS',
          accessTokenUrl: oidc.tokenUrl,
          clientId: 'machine',
          clientSecret: SECRET,
          tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
          scopes: ['api:read'],
          apiBaseUrls: [`${api.url}/api/`],
        },
      }),
    ).createCustomService.slug as string;
    const x = m.ok(
      await gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id linkName } } }',
        { i: { name: 'Machine', service: slug } },
      ),
    ).createAndConnect.connection as { id: string; linkName: string };
    expect(await m.row(x.id)).toMatchObject({ status: 'CONNECTED', hasRefreshToken: false });
    await m.invoke(x.linkName);
    await waitFor(async () => (await m.row(x.id)).lastUsedAt);
    const first = await m.accessToken(x.id);
    const issued = async () => (await oidc.stats()).byGrantType.client_credentials ?? 0;
    const before = await issued();
    await m.age(x.id, 250_000);
    expect(await job.runOnce(Date.now(), MINUTE)).toEqual({ candidates: 1, failed: 0 });
    expect(await issued()).toBe(before + 1);
    expect(await m.accessToken(x.id)).not.toBe(first);
    expect(await m.row(x.id)).toMatchObject({ status: 'CONNECTED', hasRefreshToken: false });
  });

  test('on its schedule, a used token that becomes due is refreshed without a call', async () => {
    const service = await s.service();
    const x = await s.connect('Scheduled', service);
    await s.invoke(x.link);
    await waitFor(async () => (await s.row(x.id)).lastUsedAt);
    const first = await s.accessToken(x.id);
    await s.age(x.id, 200_000);
    await waitFor(async () => (await s.accessToken(x.id)) !== first, { timeoutMs: 20_000 });
    expect(await s.row(x.id)).toMatchObject({ status: 'CONNECTED', refreshFailures: 0 });
  });
});

describe('background refresh, opted out', () => {
  test('CONNECTIONS_BACKGROUND_REFRESH=false: no background refresh at all', async () => {
    const t = await startTestServer('sqlite', { CONNECTIONS_BACKGROUND_REFRESH: 'false' });
    try {
      expect(t.server.backgroundRefresh).toBeNull();
    } finally {
      await t.close();
    }
  });
});

// Across replicas the refresh lock is a PostgreSQL advisory lock (REDIS_URL mode): both replicas may pick the
// same authorizations, and each token is still refreshed once.
const cluster = !!process.env.REDIS_URL && !!process.env.DATABASE_URL?.startsWith('postgres');
(cluster ? describe : describe.skip)('background token refresh on two replicas', () => {
  let a: Harness;
  let b: Harness;
  let oidc: OidcServer;
  let api: Upstream;
  const h = helpers(
    () => a,
    () => oidc,
    () => api.url,
  );

  beforeAll(async () => {
    const env = {
      REDIS_URL: process.env.REDIS_URL!,
      CONNECTIONS_REDIS_PREFIX: `t${randomBytes(6).toString('hex')}`,
      CONNECTIONS_BACKGROUND_REFRESH: 'true',
      CONNECTIONS_BACKGROUND_REFRESH_INTERVAL_SECONDS: '3600',
    };
    a = await harness('postgres', env);
    const replica = await startTestServer(
      'postgres',
      { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true', ...env },
      { replicaOf: a.t },
    );
    b = { ...a, t: replica };
    oidc = await startOidcServer(
      [
        {
          client_id: 'connections',
          client_secret: SECRET,
          redirect_uris: [`${a.t.url}/oauth/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      { accessTokenTtlSeconds: 300 },
    );
    api = await startUpstream((_req, res) => void res.writeHead(200).end('{}'));
  });
  afterAll(async () => {
    await api?.close();
    await oidc?.stop();
    await b?.t.close();
    await a?.t.close();
  });

  test('both replicas run at once: every due token is refreshed once', async () => {
    const service = await h.service();
    const used: { id: string; link: string }[] = [];
    for (const name of ['One', 'Two', 'Three']) used.push(await h.connect(name, service));
    for (const x of used) await h.invoke(x.link);
    await waitFor(async () => (await Promise.all(used.map((x) => h.row(x.id)))).every((r) => r.lastUsedAt));
    for (const x of used) await h.age(x.id, 200_000);
    const before = await h.refreshes();
    const runs = await Promise.all(
      [a, b, a, b].map((r) => r.t.server.backgroundRefresh!.runOnce(Date.now(), MINUTE)),
    );
    expect(runs.every((r) => r.failed === 0)).toBe(true);
    expect(await h.refreshes()).toBe(before + 3);
    for (const x of used) expect((await h.row(x.id)).status).toBe('CONNECTED');
  });
});
