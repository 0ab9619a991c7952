import { getIntrospectionQuery } from 'graphql';
import { type Auth, databases, startTestServer, type TestServer } from '../test-support/server';
import { firstResult } from '../test-support/ws-clients';

jest.setTimeout(60_000);

/** POSTs a GraphQL request; returns status, body and how long the server took. */
async function post(t: TestServer, body: unknown, auth: Auth) {
  const started = Date.now();
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(auth.cookie ? { cookie: auth.cookie } : {}),
    },
    body: JSON.stringify(body),
  });
  const raw = await res.text();
  return {
    status: res.status,
    body: JSON.parse(raw) as { data?: any; errors?: any[] },
    raw,
    ms: Date.now() - started,
  };
}

const ofTypes = (n: number): string => (n ? `ofType { ${ofTypes(n - 1)} }` : 'name');

const aliases = (n: number, selection: string) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${selection}`).join(' ')} }`;

/** `fields { type { fields { type ... } } }` n times under __type: the introspection types' cycle. */
const circular = (n: number) => {
  let inner = 'name';
  for (let i = 0; i < n; i += 1) inner = `fields { name type { ${inner} } }`;
  return `{ __type(name: "Query") { ${inner} } }`;
};

describe.each(databases())('operation limits (%s)', (db) => {
  describe('the field limit off (GRAPHQL_MAX_FIELDS very high): the cost limit alone', () => {
    let t: TestServer;
    let admin: Auth;
    beforeAll(async () => {
      t = await startTestServer(db, { GRAPHQL_MAX_FIELDS: '1000000' });
      admin = await t.adminAuth();
    });
    afterAll(async () => {
      await t?.close();
    });

    test('5,000 aliases of connections(first: 100), which the pricing library gives up on, are refused unpriced', async () => {
      const r = await post(t, { query: aliases(5000, 'connections(first: 100) { nodes { id } }') }, admin);
      expect(r.status).toBe(400);
      expect(r.body.data).toBeUndefined();
      expect(r.body.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expect(r.body.errors![0].message).toMatch(/cannot be priced/);
    });

    test('variables that do not coerce are still left to execution: BAD_USER_INPUT, not a pricing failure', async () => {
      const r = await post(
        t,
        { query: 'query($n: Int) { connections(first: $n) { totalCount } }', variables: { n: 'many' } },
        admin,
      );
      expect(r.status).toBe(400);
      expect(r.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('default limits', () => {
    let t: TestServer;
    let admin: Auth;
    beforeAll(async () => {
      t = await startTestServer(db);
      admin = await t.adminAuth();
    });
    afterAll(async () => {
      await t?.close();
    });

    test('more than GRAPHQL_MAX_FIELDS fields (aliases and fragment spreads counted) is QUERY_TOO_COMPLEX', async () => {
      // Each alias is cheap (the cost limit lets 600 of them through); their number is what is refused.
      const many = await post(t, { query: aliases(600, 'viewer { authMethod }') }, admin);
      expect(many.status).toBe(400);
      expect(many.body.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expect(many.body.errors![0].message).toMatch(/selects 1200 fields.*limit is 500/);
      // Fragments count once per spread: 4 spreads of 4 spreads of 40 fields are 640 fields.
      const spread = await post(
        t,
        {
          query:
            '{ viewer { ...B ...B ...B ...B } } fragment B on Viewer { ...A ...A ...A ...A } ' +
            `fragment A on Viewer { ${Array.from({ length: 40 }, (_, i) => `f${i}: authMethod`).join(' ')} }`,
        },
        admin,
      );
      expect(spread.body.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      const fine = await post(t, { query: aliases(100, 'viewer { authMethod }') }, admin);
      expect(fine.status).toBe(200);
      expect(fine.body.errors).toBeUndefined();
    });

    test('an oversized document stops at the parser token budget (20 per allowed field): GRAPHQL_PARSE_FAILED', async () => {
      const r = await post(t, { query: aliases(5000, 'connections(first: 100) { nodes { id } }') }, admin);
      expect(r.status).toBe(400);
      expect(r.body.errors![0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(r.body.errors![0].message).toMatch(/more th\w+ 10000 tokens/);
    });

    test('introspection fields count toward the depth limit; cycles through the introspection types are refused', async () => {
      const deep = await post(
        t,
        { query: `{ __type(name: "Query") { fields { type { ${ofTypes(16)} } } } }` },
        admin,
      );
      expect(deep.status).toBe(400);
      expect(deep.body.errors![0].extensions.code).toBe('QUERY_TOO_DEEP');
      // The cycle itself is bounded by graphql-js's MaxIntrospectionDepthRule (three lists), kept on purpose.
      const cycle = await post(t, { query: circular(4) }, admin);
      expect(cycle.status).toBe(400);
      expect(cycle.body.errors![0].message).toMatch(/introspection depth/i);
      // The standard introspection query that tools send still works, and so does __typename anywhere.
      const standard = await post(t, { query: getIntrospectionQuery({ descriptions: true }) }, admin);
      expect(standard.status).toBe(200);
      expect(standard.body.data.__schema.queryType.name).toBe('Query');
      const typename = await post(t, { query: '{ __typename viewer { __typename authMethod } }' }, admin);
      expect(typename.body.errors).toBeUndefined();
    });

    test('a subscription sent over HTTP is a 400 WEBSOCKET_REQUIRED, and nothing runs', async () => {
      const r = await post(t, { query: 'subscription { authorizationEvents { type } }' }, admin);
      expect(r.status).toBe(400);
      expect(r.body.data).toBeUndefined();
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors![0].extensions).toEqual({ code: 'WEBSOCKET_REQUIRED' });
      expect(r.body.errors![0].message).toMatch(/WebSocket/);
      const named = await post(
        t,
        {
          query: 'query Q { viewer { authMethod } } subscription S { authorizationEvents { type } }',
          operationName: 'S',
        },
        admin,
      );
      expect(named.status).toBe(400);
      expect(named.body.errors![0].extensions.code).toBe('WEBSOCKET_REQUIRED');
    });

    test('over graphql-ws, the same field, depth and cost limits', async () => {
      const ws = t.ws(await tokenAuth(t, admin));
      try {
        const fields = await firstResult(ws, aliases(600, 'viewer { authMethod }'));
        expect(fields.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
        const deep = await firstResult(
          ws,
          `{ __type(name: "Query") { fields { type { ${ofTypes(16)} } } } }`,
        );
        expect(deep.errors![0].extensions.code).toBe('QUERY_TOO_DEEP');
        const tokens = await firstResult(ws, aliases(5000, 'connections(first: 100) { nodes { id } }'));
        expect(tokens.errors![0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
        const fine = await firstResult(ws, '{ viewer { authMethod } }');
        expect(fine.data).toEqual({ viewer: { authMethod: 'API_TOKEN' } });
      } finally {
        await ws.dispose();
      }
    });
  });

  describe('production mode', () => {
    let t: TestServer;
    let admin: Auth;
    beforeAll(async () => {
      t = await startTestServer(db, { NODE_ENV: 'production' });
      admin = await t.adminAuth();
    });
    afterAll(async () => {
      await t?.close();
    });

    test('introspection is refused over graphql-ws as it is over HTTP', async () => {
      const ws = t.ws(await tokenAuth(t, admin));
      try {
        const r = await firstResult(ws, '{ __schema { types { name } } }');
        expect(r.data).toBeUndefined();
        expect(r.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(r.errors![0].message).toMatch(/introspection/i);
        const ok = await firstResult(ws, '{ __typename viewer { authMethod } }');
        expect(ok.data).toEqual({ __typename: 'Query', viewer: { authMethod: 'API_TOKEN' } });
      } finally {
        await ws.dispose();
      }
    });
  });
});

async function tokenAuth(t: TestServer, admin: Auth): Promise<{ token: string }> {
  const r = await t.gql<{ createApiToken: { token: string } }>(
    'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }',
    { i: { name: `limits ${Date.now()}` } },
    admin,
  );
  if (r.errors) throw new Error(r.raw);
  return { token: r.data!.createApiToken.token };
}
