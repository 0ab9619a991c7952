import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { subscribeEvents } from '../test-support/events';
import { startTestServer, type TestServer } from '../test-support/server';
import { waitFor } from '../test-support/wait';

// Two replicas on one PostgreSQL schema whose Redis sits behind a TCP relay the test can cut: what a brief
// Redis outage does. Needs both engines (CI sets DATABASE_URL and REDIS_URL).
const redisUrl = process.env.REDIS_URL;
const enabled = !!redisUrl && !!process.env.DATABASE_URL?.startsWith('postgres');

/** A TCP relay in front of Redis: `cut()` drops every connection and refuses new ones until `restore()`. */
async function redisRelay(target: URL) {
  let up = true;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) return client.destroy();
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () => {
      up = false;
      for (const s of open) s.destroy();
    },
    restore: () => (up = true),
    close: () =>
      new Promise<void>((resolve) => (server.close(() => resolve()), [...open].forEach((s) => s.destroy()))),
  };
}

(enabled ? describe : describe.skip)('replicas while Redis is briefly unavailable', () => {
  let relay: Awaited<ReturnType<typeof redisRelay>>;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    relay = await redisRelay(new URL(redisUrl!));
    const env = { REDIS_URL: relay.url, CONNECTIONS_REDIS_PREFIX: `t${randomBytes(6).toString('hex')}` };
    a = await startTestServer('postgres', env);
    b = await startTestServer('postgres', env, { replicaOf: a });
  }, 60_000);

  afterAll(async () => {
    relay.restore();
    await b?.close();
    await a?.close();
    await relay?.close();
  });

  const token = async (name: string) => {
    const r = await a.gql(
      'mutation($n: String!) { createApiToken(input: {name: $n}) { token apiToken { id } } }',
      { n: name },
      await a.adminAuth(),
    );
    return {
      token: r.data!.createApiToken.token as string,
      id: r.data!.createApiToken.apiToken.id as string,
    };
  };
  const viewerOn = async (t: TestServer, auth: { token: string }) =>
    (await t.gql('{ viewer { user { email } } }', {}, auth)).data?.viewer ?? null;
  const live = (t: TestServer) => t.server.services.invalidator.live();

  test('calls keep working; caches keep credentials for at most a second; events and invalidations resume', async () => {
    const admin = await a.adminAuth();
    const slug = (
      await a.gql(
        'mutation { createCustomService(input: {name: "Ledger", authType: API_KEY, paramType: HEADERS, apiKeyParamName: "X-Key", apiBaseUrls: ["https://ledger.example.test/"]}) { slug } }',
        {},
        admin,
      )
    ).data!.createCustomService.slug;
    const kept = await token('kept');
    const doomed = await token('doomed');
    // Cached on replica B before the outage.
    expect(await viewerOn(b, kept)).not.toBeNull();
    expect(await viewerOn(b, doomed)).not.toBeNull();

    relay.cut();
    await waitFor(() => !live(a) && !live(b), { message: 'the replicas never noticed Redis was gone' });

    // The database path does not need Redis: reads, writes and sign-in work on both replicas.
    expect(await viewerOn(b, kept)).not.toBeNull();
    const created = await a.gql(
      'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id status } } }',
      { i: { name: 'During outage', service: slug, credentials: { apiKey: 'k-1' } } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createAndConnect.connection.status).toBe('CONNECTED');
    expect(await b.signIn('admin@example.com', 'admin-password-123')).toHaveProperty('cookie');

    // The revocation cannot be announced, so B forgets the cached credential within its outage TTL (1 s).
    await a.gql('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: doomed.id }, admin);
    await waitFor(async () => (await viewerOn(b, doomed)) === null, {
      timeoutMs: 3_000,
      message: 'replica B kept using a revoked token during the outage',
    });

    relay.restore();
    await waitFor(() => live(a) && live(b), { timeoutMs: 15_000, message: 'Redis never came back' });

    // Events caused on A reach a subscriber on B again.
    const log = await subscribeEvents(b.ws(await token('subscriber')));
    const connectionId = created.data!.createAndConnect.connection.id;
    await a.gql(
      'mutation($id: ID!) { connect(connectionId: $id, credentials: {apiKey: "k-2"}) { connection { id } } }',
      { id: connectionId },
      admin,
    );
    await log.waitFor((e) => e.connectionId === connectionId && e.type === 'REAUTHORIZED');
    log.stop();

    // And invalidations travel again: a revocation on A is refused on B at once, however long B may cache.
    expect(await viewerOn(b, kept)).not.toBeNull();
    await a.gql('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: kept.id }, admin);
    await waitFor(async () => (await viewerOn(b, kept)) === null, {
      timeoutMs: 1_000,
      message: 'replica B did not hear the revocation within one second',
    });
  }, 60_000);
});
