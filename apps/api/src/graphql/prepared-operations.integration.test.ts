import { addMember, type Auth, databases, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(60_000);

interface Sent {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

/** One GraphQL POST: the answer's status, the headers either path may set, and the body as sent. */
async function post(t: TestServer, body: unknown, auth?: Auth, accept?: string): Promise<Sent> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (accept) headers.accept = accept;
  if (auth?.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth?.cookie) headers.cookie = auth.cookie;
  const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
  const seen = ['content-type', 'retry-after', 'content-security-policy', 'x-content-type-options'];
  return {
    status: res.status,
    headers: Object.fromEntries(seen.map((h) => [h, res.headers.get(h)])),
    body: await res.text(),
  };
}

describe.each(databases())('GraphQL operations run again without Apollo (%s)', (db) => {
  let t: TestServer;
  let admin: Auth;
  beforeAll(async () => {
    t = await startTestServer(db);
    const made = await t.gql(
      'mutation { createApiToken(input: {name: "fast"}) { token } }',
      {},
      await t.adminAuth(),
    );
    admin = { token: made.data!.createApiToken.token };
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The same request twice: Apollo answers the first, and the second must be the same answer from the fast path. */
  async function twice(body: unknown, auth: Auth | null = admin, accept?: string) {
    const first = await post(t, body, auth ?? undefined, accept);
    const before = t.server.prepared.served;
    const second = await post(t, body, auth ?? undefined, accept);
    // Whether the second went the fast way (the first may have too, when an earlier test sent the same text).
    return { first, second, fast: t.server.prepared.served - before };
  }

  test.each([
    [
      'a query with variables',
      { query: 'query($n: Int) { connections(first: $n) { totalCount } }', variables: { n: 5 } },
    ],
    [
      'variables that do not coerce (400)',
      { query: 'query($n: Int) { connections(first: $n) { totalCount } }', variables: { n: 'lots' } },
    ],
    [
      'a missing required variable (400)',
      { query: 'query($id: ID) { connection(id: $id) { id } }', variables: {} },
    ],
    [
      'a resolver refusal (NOT_FOUND)',
      { query: 'query($id: ID) { connection(id: $id) { id } }', variables: { id: 'nope' } },
    ],
    [
      'input refused by class-validator',
      {
        query: 'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
        variables: { i: { name: '', service: 'github' } },
      },
    ],
    [
      'one operation of several, by name',
      { query: 'query A { viewer { authMethod } } query B { viewer { role } }', operationName: 'B' },
    ],
  ])('%s: the same status, headers and body', async (_what, body) => {
    const { first, second, fast } = await twice(body);
    expect(second).toEqual(first);
    expect(fast).toBe(1);
  });

  test('no caller: UNAUTHENTICATED either way', async () => {
    const { first, second, fast } = await twice({ query: '{ connections { totalCount } }' }, null);
    expect(JSON.parse(first.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(second).toEqual(first);
    expect(fast).toBe(1);
  });

  test('the Accept header picks the same content type', async () => {
    for (const accept of ['application/graphql-response+json', 'application/json', '*/*']) {
      const { first, second, fast } = await twice({ query: '{ viewer { authMethod } }' }, admin, accept);
      expect(second).toEqual(first);
      expect(fast).toBe(1);
    }
    const refused = await twice({ query: '{ viewer { authMethod } }' }, admin, 'text/html');
    expect(refused.first.status).toBe(406);
    expect(refused.second).toEqual(refused.first);
    expect(refused.fast).toBe(0);
  });

  test('each request runs as its own caller', async () => {
    const query = { query: '{ viewer { user { email } } }' };
    await post(t, query, admin);
    const email = `member-${Date.now()}@example.com`;
    const { auth: member } = await addMember(t, email);
    const asMember = JSON.parse((await post(t, query, member)).body);
    expect(asMember.data.viewer.user.email).toBe(email);
  });

  test('what Apollo must refuse is always Apollo’s: subscriptions, costs priced by variables, persisted queries', async () => {
    const subscription = await twice({ query: 'subscription { authorizationEvents { type } }' });
    expect(JSON.parse(subscription.second.body).errors[0].extensions.code).toBe('WEBSOCKET_REQUIRED');
    expect(subscription.second).toEqual(subscription.first);
    const costly = await twice({
      query: 'query($n: Int) { connections(first: $n) { nodes { id service { name } } } }',
      variables: { n: 1_000_000 },
    });
    expect(JSON.parse(costly.second.body).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(costly.second).toEqual(costly.first);
    const persisted = await twice({
      query: '{ viewer { authMethod } }',
      extensions: { persistedQuery: { version: 2, sha256Hash: 'x' } },
    });
    expect(persisted.second.status).toBe(400);
    expect(persisted.second).toEqual(persisted.first);
    expect(subscription.fast + costly.fast + persisted.fast).toBe(0);
  });
});
