import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { allEvents, follow } from '../test-support/event-log-clients';
import { type Auth, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { waitFor } from '../test-support/wait';

// Two replicas on one PostgreSQL schema and one Redis: a subscriber resumes on one replica from a cursor it
// got on the other, while both replicas keep writing events. Needs both engines (CI sets DATABASE_URL and
// REDIS_URL).
const enabled = !!process.env.REDIS_URL && !!process.env.DATABASE_URL?.startsWith('postgres');

jest.setTimeout(120_000);

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

(enabled ? describe : describe.skip)('the authorization event log across two replicas', () => {
  let a: TestServer;
  let b: TestServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    const env = {
      REDIS_URL: process.env.REDIS_URL!,
      CONNECTIONS_REDIS_PREFIX: `t${randomBytes(6).toString('hex')}`,
    };
    a = await startTestServer('postgres', env);
    b = await startTestServer('postgres', env, { replicaOf: a });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await b?.close();
    await a?.close();
  });

  test('a subscriber resumes on one replica from a cursor it got on the other, while both write', async () => {
    const admin: Auth = {
      token: ok(
        await a.gql('mutation { createApiToken(input: {name: "tool"}) { token } }', {}, await a.adminAuth()),
      ).createApiToken.token,
    };
    const slug = ok(
      await a.gql(
        'mutation { createCustomService(input: {name: "Ledger", authType: API_KEY, paramType: HEADERS, apiKeyParamName: "X-Key", apiBaseUrls: ["https://ledger.example.test/"]}) { slug } }',
        {},
        admin,
      ),
    ).createCustomService.slug;
    let keys = 0;
    const connectOn = async (t: TestServer, name: string) =>
      ok(
        await t.gql(
          'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id } } }',
          { i: { name, service: slug, credentials: { apiKey: `k${++keys}` } } },
          admin,
        ),
      ).createAndConnect.connection.id as string;
    const reconnectOn = (t: TestServer, id: string) =>
      t
        .gql(
          'mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) { attemptId } }',
          {
            id,
            c: { apiKey: `k${++keys}` },
          },
          admin,
        )
        .then(ok);
    const onA = await connectOn(a, 'On A');
    const onB = await connectOn(b, 'On B');
    const start = (await allEvents(a, admin, null)).endCursor;

    let written = 0;
    const writer = async (t: TestServer, id: string) => {
      for (let i = 0; i < 10; i++) {
        await reconnectOn(t, id);
        written++;
        await new Promise((r) => setTimeout(r, 15));
      }
    };
    const writes = Promise.all([writer(a, onA), writer(b, onB)]);
    // Sessions alternate between the replicas; each resumes from the last cursor the previous one got.
    const received: any[] = [];
    let cursor = start;
    for (const [i, t] of [b, a, b].entries()) {
      const client = t.ws(admin);
      clients.push(client);
      const s = await follow(client, { after: cursor });
      await s.until(3);
      s.stop();
      received.push(...s.events);
      cursor = received[received.length - 1].cursor;
      await waitFor(() => written >= (i + 1) * 5, { timeoutMs: 30_000 });
    }
    const client = a.ws(admin);
    clients.push(client);
    const last = await follow(client, { after: cursor });
    await writes;
    await last.until(20 - received.length);
    received.push(...last.events);

    const stored = (await allEvents(b, admin, start)).nodes;
    expect(stored).toHaveLength(20);
    expect(new Set(stored.map((e) => e.connectionId))).toEqual(new Set([onA, onB]));
    expect(received.map((e) => e.id)).toEqual(stored.map((e) => e.id));
    // Live across replicas from here on: written on B, heard on A, once.
    const before = last.events.length;
    await reconnectOn(b, onB);
    await last.until(before + 1);
    expect(last.events[before]).toMatchObject({ type: 'REAUTHORIZED', connectionId: onB });
    expect(new Set(last.events.map((e) => e.id)).size).toBe(last.events.length);
  });
});
