import { randomBytes } from 'node:crypto';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';
import { waitFor } from '../test-support/wait';

jest.setTimeout(90_000);

// Issue 15, the invocation plan cache: a warm call reads nothing (counted statements), and every change that
// matters is seen by the very next call: new credentials, a service edit, a restriction, a revoke, a delete.

const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';
const CREATE_SERVICE =
  'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id slug } }';
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { connection { id linkName } } }`;
const CONNECT = `mutation($id: ID!, $c: CredentialsInput) {
  connect(connectionId: $id, credentials: $c) { attemptId } }`;
const UPDATE_CONNECTION = 'mutation($i: UpdateConnectionInput!) { updateConnection(input: $i) { id } }';
const UPDATE_SERVICE = 'mutation($i: UpdateServiceInput!) { updateService(input: $i) { id } }';
const REVOKE = 'mutation($id: ID!) { revokeAuthorization(connectionId: $id) { id } }';
const DELETE = 'mutation($id: ID!) { deleteConnection(id: $id) }';

// Statements of the server's background jobs (the webhook outbox poll, attempt cleanup, event retention),
// which run whatever the calls do, and the transaction brackets around them.
const BACKGROUND =
  /webhook|authorization_attempt|authorization_event|^(BEGIN|START TRANSACTION|COMMIT|ROLLBACK)/i;

describe.each(databases())('invocation plan cache (%s)', (db) => {
  let t: TestServer;
  let up: Upstream;
  let admin: Auth;
  let member: Auth;
  let memberId: string;
  let token: string;
  let service: { id: string; slug: string };

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
  /** What the upstream saw of the key: the header's name and value, or the query's. */
  const invoke = (linkName: string, auth: Auth = { token }) =>
    t.gql(INVOKE, { i: { connection: linkName, url: 'key' } }, auth);
  const proxy = (linkName: string) =>
    fetch(`${t.url}/proxy/${linkName}/key`, { headers: { authorization: `Bearer ${token}` } });
  const connected = async (name: string, apiKey: string) =>
    ok(
      await t.gql(CREATE_AND_CONNECT, { i: { name, service: service.slug, credentials: { apiKey } } }, admin),
    ).createAndConnect.connection as { id: string; linkName: string };

  beforeAll(async () => {
    // A flush interval longer than the test: only the explicit flushes below write audit rows.
    t = await startTestServer(db, {
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
      CONNECTIONS_AUDIT_FLUSH_MS: '60000',
    });
    admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "plans"}) { token } }', {}, admin))
      .createApiToken.token;
    ({ auth: member, userId: memberId } = await addMember(t, 'plans-member@example.com'));
    up = await startUpstream((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const seen = req.headers['x-key'] ?? req.headers['x-other'] ?? url.searchParams.get('X-Key') ?? '';
      const name = req.headers['x-key']
        ? 'header x-key'
        : req.headers['x-other']
          ? 'header x-other'
          : 'query';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, seen }));
    });
    service = ok(
      await t.gql(
        CREATE_SERVICE,
        {
          i: {
            name: 'Keyed',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${up.url}/`],
          },
        },
        admin,
      ),
    ).createCustomService;
  });
  afterAll(async () => {
    await up?.close();
    await t?.close();
  });

  test('a warm call through /proxy or invokeUrl sends no statement of its own; audit rows go in one batch', async () => {
    const c = await connected('Warm', 'k1');
    for (let i = 0; i < 3; i++) {
      expect((await proxy(c.linkName)).status).toBe(200);
      expect(ok(await invoke(c.linkName)).invokeUrl.status).toBe(200);
    }
    await t.server.services.audit.flush();
    const statements: string[] = [];
    const counter = t.server.queryCounter;
    const original = counter.logQuery.bind(counter);
    // QueryCounter ignores the statement; TypeORM passes it (Logger.logQuery).
    counter.logQuery = ((query: string) => {
      statements.push(query);
      original();
    }) as () => void;
    try {
      for (let i = 0; i < 20; i++) {
        expect((await proxy(c.linkName)).status).toBe(200);
        expect(ok(await invoke(c.linkName)).invokeUrl.body).toContain('"seen":"k1"');
      }
      await t.server.services.audit.flush();
    } finally {
      counter.logQuery = original;
    }
    const ours = statements.filter((s) => !BACKGROUND.test(s));
    // 40 calls: the one INSERT of their 40 audit rows, and nothing else.
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^INSERT INTO "audit_event"/);
    const audit = ok(
      await t.gql(
        'query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { nodes { id } } }',
        { f: { connectionId: c.id, action: 'connection.invoked' } },
        admin,
      ),
    );
    expect(audit.auditEvents.nodes).toHaveLength(46);
  });

  test('new credentials, a service edit, a restriction, a revoke and a delete are each seen by the next call', async () => {
    const c = await connected('Fresh', 'k1');
    expect(JSON.parse(ok(await invoke(c.linkName)).invokeUrl.body)).toEqual({
      name: 'header x-key',
      seen: 'k1',
    });

    // Re-authorized with another key: the next call sends it.
    ok(await t.gql(CONNECT, { id: c.id, c: { apiKey: 'k2' } }, admin));
    expect(JSON.parse(ok(await invoke(c.linkName)).invokeUrl.body).seen).toBe('k2');

    // The service now sends the key in the query string: the next call does.
    ok(await t.gql(UPDATE_SERVICE, { i: { id: service.id, paramType: 'QUERY_STRING' } }, admin));
    expect(JSON.parse(ok(await invoke(c.linkName)).invokeUrl.body)).toEqual({ name: 'query', seen: 'k2' });
    ok(await t.gql(UPDATE_SERVICE, { i: { id: service.id, paramType: 'HEADERS' } }, admin));

    // A member may use the owner's connection; restricted to nobody, the next call does not find it.
    expect(ok(await invoke(c.linkName, member)).invokeUrl.status).toBe(200);
    ok(await t.gql(UPDATE_CONNECTION, { i: { id: c.id, access: { restricted: true, members: [] } } }, admin));
    expect(codeOf(await invoke(c.linkName, member))).toBe('NOT_FOUND');
    ok(
      await t.gql(
        UPDATE_CONNECTION,
        { i: { id: c.id, access: { restricted: true, members: [memberId] } } },
        admin,
      ),
    );
    expect(ok(await invoke(c.linkName, member)).invokeUrl.status).toBe(200);

    // Revoked: no stale credentials, and nothing reaches the upstream.
    const seen = up.seen.length;
    ok(await t.gql(REVOKE, { id: c.id }, admin));
    expect(codeOf(await invoke(c.linkName))).toBe('NEEDS_AUTHORIZATION');
    expect((await proxy(c.linkName)).status).toBe(409);
    expect(up.seen.length).toBe(seen);

    // Connected again, then deleted: the next call finds no connection.
    ok(await t.gql(CONNECT, { id: c.id, c: { apiKey: 'k3' } }, admin));
    expect(JSON.parse(ok(await invoke(c.linkName)).invokeUrl.body).seen).toBe('k3');
    ok(await t.gql(DELETE, { id: c.id }, admin));
    expect(codeOf(await invoke(c.linkName))).toBe('NOT_FOUND');
  });
});

// Each replica keeps its own plans: a change made through one is announced over Redis, and the other's next
// calls see it (within the announcement's delivery, milliseconds; the 30 s TTL alone would take far longer
// than the wait below). CI sets both engines.
const replicated = !!process.env.REDIS_URL && !!process.env.DATABASE_URL?.startsWith('postgres');
(replicated ? describe : describe.skip)('invocation plan cache across replicas', () => {
  let a: TestServer;
  let b: TestServer;
  let up: Upstream;
  beforeAll(async () => {
    const env = {
      REDIS_URL: process.env.REDIS_URL!,
      CONNECTIONS_REDIS_PREFIX: `t${randomBytes(6).toString('hex')}`,
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
    };
    a = await startTestServer('postgres', env);
    b = await startTestServer('postgres', env, { replicaOf: a });
    up = await startUpstream((req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ seen: req.headers['x-key'] }));
    });
  });
  afterAll(async () => {
    await up?.close();
    await b?.close();
    await a?.close();
  });

  test('re-authorized and revoked on one replica, seen by the next calls on the other', async () => {
    const admin = await a.adminAuth();
    const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
      if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
      return r.data!;
    };
    const token = ok(await a.gql('mutation { createApiToken(input: {name: "r"}) { token } }', {}, admin))
      .createApiToken.token as string;
    const slug = ok(
      await a.gql(
        CREATE_SERVICE,
        {
          i: {
            name: 'Replicated',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${up.url}/`],
          },
        },
        admin,
      ),
    ).createCustomService.slug;
    const c = ok(
      await a.gql(
        CREATE_AND_CONNECT,
        { i: { name: 'R', service: slug, credentials: { apiKey: 'k1' } } },
        admin,
      ),
    ).createAndConnect.connection;
    const onB = () => b.gql(INVOKE, { i: { connection: c.linkName, url: 'key' } }, { token });
    // B resolves and keeps the plan.
    expect(JSON.parse(ok(await onB()).invokeUrl.body).seen).toBe('k1');
    expect(JSON.parse(ok(await onB()).invokeUrl.body).seen).toBe('k1');

    ok(await a.gql(CONNECT, { id: c.id, c: { apiKey: 'k2' } }, admin));
    await waitFor(async () => JSON.parse(ok(await onB()).invokeUrl.body).seen === 'k2', { timeoutMs: 5_000 });

    ok(await a.gql(REVOKE, { id: c.id }, admin));
    await waitFor(async () => (await onB()).errors?.[0]?.extensions?.code === 'NEEDS_AUTHORIZATION', {
      timeoutMs: 5_000,
    });
  });
});
