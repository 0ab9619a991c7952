import fs from 'node:fs';
import path from 'node:path';
import { type Auth, databases, startTestServer, type TestServer } from '../test-support/server';
import { buildApiSchema, printApiSchema } from './schema';

jest.setTimeout(60_000);

const SDL_FILE = path.resolve(__dirname, '../../../../packages/schema/schema.graphql');

/** POSTs a GraphQL request with full control over the Accept header; returns status, content type and body. */
async function post(t: TestServer, body: unknown, auth?: Auth, accept = 'application/graphql-response+json') {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept };
  if (auth?.cookie) headers.cookie = auth.cookie;
  if (auth?.token) headers.authorization = `Bearer ${auth.token}`;
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const raw = await res.text();
  t.transcript.push(raw);
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    raw,
    body: JSON.parse(raw) as { data?: any; errors?: any[] },
  };
}

/** Stack traces in any form: an extension, or "at fn (file:line:col)" lines in a message. */
function expectNoStackTraces(text: string) {
  expect(text).not.toMatch(/stacktrace/i);
  expect(text).not.toMatch(/\bat (?:async )?[\w$.<>]+ \(/);
  expect(text).not.toMatch(/\bat \/[^\s]+:\d+:\d+/);
  expect(text).not.toMatch(/\.(?:ts|js):\d+:\d+/);
}

describe('the committed GraphQL contract', () => {
  test('packages/schema/schema.graphql is exactly the SDL the API builds', async () => {
    const built = printApiSchema(await buildApiSchema());
    expect(built).toContain('type Query');
    const committed = fs.existsSync(SDL_FILE) ? fs.readFileSync(SDL_FILE, 'utf8') : null;
    if (committed !== built) {
      const a = (committed ?? '').split('\n');
      const b = built.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      const where =
        committed === null
          ? 'the file is missing'
          : `first difference at line ${line + 1}:\n  committed: ${JSON.stringify(a[line])}\n  built:     ${JSON.stringify(b[line])}`;
      throw new Error(
        `packages/schema/schema.graphql differs from the schema the API builds (${where}).\n` +
          'Regenerate it: `npm run build && npm run emit-schema -w @connections/api`, then commit the file.',
      );
    }
  });
});

describe.each(databases())('GraphQL over HTTP (%s)', (db) => {
  describe('default settings', () => {
    let t: TestServer;
    let admin: Auth;
    beforeAll(async () => {
      t = await startTestServer(db);
      admin = await t.adminAuth();
    });
    afterAll(async () => {
      await t?.close();
    });

    test('answers application/graphql-response+json when asked, application/json otherwise', async () => {
      const modern = await post(t, { query: '{ viewer { authMethod } }' }, admin);
      expect(modern.status).toBe(200);
      expect(modern.contentType).toMatch(/^application\/graphql-response\+json/);
      expect(modern.body.data).toEqual({ viewer: { authMethod: 'SESSION' } });
      const legacy = await post(t, { query: '{ viewer { authMethod } }' }, admin, 'application/json');
      expect(legacy.contentType).toMatch(/^application\/json/);
      expect(legacy.body.data).toEqual({ viewer: { authMethod: 'SESSION' } });
    });

    test('a syntax error is HTTP 400 GRAPHQL_PARSE_FAILED', async () => {
      const r = await post(t, { query: '{ viewer { user { email } ' }, admin);
      expect(r.status).toBe(400);
      expect(r.contentType).toMatch(/^application\/graphql-response\+json/);
      expect(r.body.data).toBeUndefined();
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors![0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(r.body.errors![0].message).toMatch(/Syntax Error/);
    });

    test('an unknown field is HTTP 400 GRAPHQL_VALIDATION_FAILED', async () => {
      const r = await post(t, { query: '{ viewer { user { email passwordHash } } }' }, admin);
      expect(r.status).toBe(400);
      expect(r.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.body.errors![0].message).toContain('passwordHash');
      expect(r.raw).not.toContain('scrypt$');
    });

    test('a bad variable is HTTP 400 BAD_USER_INPUT, not a server error', async () => {
      const r = await post(
        t,
        { query: 'query($n: Int) { connections(first: $n) { totalCount } }', variables: { n: 'lots' } },
        admin,
      );
      expect(r.status).toBe(400);
      expect(r.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
      const missing = await post(
        t,
        { query: 'query($id: ID!) { connection(id: $id) { id } }', variables: {} },
        admin,
      );
      expect(missing.status).toBe(400);
      expect(missing.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    });

    test('a body that is not JSON, too large, or without a query is a 400 JSON error without echo or stack', async () => {
      const secretish = 'csec_should_not_echo_4f1b';
      const r = await post(
        t,
        `{"query": "{ viewer { authMethod } }", "variables": {"s": "${secretish}"`,
        admin,
      );
      expect(r.status).toBe(400);
      expect(r.contentType).toMatch(/json/);
      expect(r.body.errors).toEqual([
        { message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } },
      ]);
      expect(r.raw).not.toContain(secretish);
      expectNoStackTraces(r.raw);

      const huge = await post(
        t,
        { query: '{ viewer { authMethod } }', variables: { pad: 'x'.repeat(1_100_000) } },
        admin,
      );
      expect(huge.status).toBe(413);
      expect(huge.body.errors![0].extensions.code).toBe('BAD_REQUEST');
      expectNoStackTraces(huge.raw);

      const noQuery = await post(t, { variables: {} }, admin);
      expect(noQuery.status).toBe(400);
      expect(noQuery.body.errors![0].extensions.code).toBe('BAD_REQUEST');
    });

    test('the default limits let the deepest and widest ordinary queries through', async () => {
      // The schema has no recursion: five levels is as deep as it goes, well under the default of 10.
      const deepest = `query { ...Page }
        fragment Page on Query { connections(first: 100) { nodes { id service { name } owner { email } authorization { status principal { email } } } } }`;
      const r = await post(t, { query: deepest }, admin);
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      const services = await post(
        t,
        { query: '{ services(first: 100) { nodes { id slug name scopes apiBaseUrls redirectUri } } }' },
        admin,
      );
      expect(services.body.errors).toBeUndefined();
      expect(services.body.data.services.nodes).toHaveLength(100);
    });

    test('introspection works outside production', async () => {
      const r = await post(t, { query: '{ __schema { queryType { name } } }' }, admin);
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });

    test('an unexpected error outside production keeps its message but has no stack trace', async () => {
      const spy = jest
        .spyOn(t.server.services.connections, 'list')
        .mockRejectedValueOnce(new Error('the database went away'));
      try {
        const r = await post(t, { query: '{ connections { totalCount } }' }, admin);
        expect(r.body.errors![0]).toMatchObject({
          message: 'the database went away',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        });
        expect(Object.keys(r.body.errors![0].extensions)).toEqual(['code']);
        expectNoStackTraces(r.raw);
      } finally {
        spy.mockRestore();
      }
    });

    test('no response of this server carried a stack trace', async () => {
      // Provoke the usual failures once more, then scan everything this server sent.
      await post(t, { query: '{ nope }' }, admin);
      await post(t, { query: '{ connection(id: "missing") { id } }' }, admin);
      await post(t, { query: '{ connections { totalCount } }' });
      await post(
        t,
        { query: 'mutation { createConnection(input: {name: "", service: "github"}) { id } }' },
        admin,
      );
      const all = t.transcript.join('\n');
      expect(all).toContain('"errors"');
      expectNoStackTraces(all);
    });
  });

  describe('depth limit', () => {
    let t: TestServer;
    let admin: Auth;
    beforeAll(async () => {
      t = await startTestServer(db, { GRAPHQL_MAX_DEPTH: '3' });
      admin = await t.adminAuth();
    });
    afterAll(async () => {
      await t?.close();
    });

    test('a query deeper than GRAPHQL_MAX_DEPTH is refused with QUERY_TOO_DEEP, fragments included', async () => {
      const ok = await post(t, { query: '{ connections(first: 5) { nodes { id } } }' }, admin);
      expect(ok.status).toBe(200);
      expect(ok.body.errors).toBeUndefined();
      for (const query of [
        '{ connections(first: 5) { nodes { service { name } } } }',
        'query { ...A } fragment A on Query { connections(first: 5) { ...B } } fragment B on ConnectionPage { nodes { service { name } } }',
        '{ connections(first: 5) { nodes { ... on Connection { owner { email } } } } }',
      ]) {
        const r = await post(t, { query }, admin);
        expect(r.status).toBe(400);
        expect(r.body.data).toBeUndefined();
        expect(r.body.errors).toHaveLength(1);
        expect(r.body.errors![0].extensions.code).toBe('QUERY_TOO_DEEP');
        expect(r.body.errors![0].message).toMatch(/limit is 3/);
      }
    });

    test('graphql-ws applies the same limit', async () => {
      const created = await post(
        t,
        { query: 'mutation { createApiToken(input: {name: "ws"}) { token } }' },
        admin,
      );
      const ws = t.ws({ token: created.body.data.createApiToken.token });
      const outcome = await new Promise<any>((resolve) => {
        ws.subscribe(
          { query: '{ connections(first: 5) { nodes { service { name } } } }' },
          { next: (v) => resolve({ next: v }), error: (e) => resolve({ error: e }), complete: () => {} },
        );
      });
      await ws.dispose();
      expect(outcome.next).toBeUndefined();
      expect(outcome.error[0].extensions.code).toBe('QUERY_TOO_DEEP');
    });
  });

  describe('complexity limit', () => {
    let t: TestServer;
    let admin: Auth;
    beforeAll(async () => {
      t = await startTestServer(db, { GRAPHQL_MAX_COMPLEXITY: '50' });
      admin = await t.adminAuth();
    });
    afterAll(async () => {
      await t?.close();
    });

    test('a query costlier than GRAPHQL_MAX_COMPLEXITY is refused with QUERY_TOO_COMPLEX, page sizes in variables included', async () => {
      const cheap = await post(t, { query: '{ connections(first: 5) { nodes { id } } }' }, admin);
      expect(cheap.status).toBe(200);
      expect(cheap.body.errors).toBeUndefined();
      const costly = await post(
        t,
        { query: '{ connections(first: 100) { nodes { id service { name } } } }' },
        admin,
      );
      expect(costly.status).toBe(400);
      expect(costly.body.data).toBeUndefined();
      expect(costly.body.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expect(costly.body.errors![0].message).toMatch(/limit is 50/);
      const viaVariable = await post(
        t,
        {
          query: 'query($n: Int) { connections(first: $n) { nodes { id name linkName } } }',
          variables: { n: 100 },
        },
        admin,
      );
      expect(viaVariable.status).toBe(400);
      expect(viaVariable.body.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expectNoStackTraces(t.transcript.join('\n'));
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

    test('introspection is refused', async () => {
      for (const query of [
        '{ __schema { types { name } } }',
        '{ __type(name: "Service") { fields { name } } }',
      ]) {
        const r = await post(t, { query }, admin);
        expect(r.status).toBe(400);
        expect(r.body.data).toBeUndefined();
        expect(r.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(r.body.errors![0].message).toMatch(/introspection/i);
        expect(r.raw).not.toContain('hasClientSecret');
      }
      // __typename is not introspection of the schema, and ordinary queries still work.
      const ok = await post(t, { query: '{ __typename viewer { authMethod } }' }, admin);
      expect(ok.body).toEqual({ data: { __typename: 'Query', viewer: { authMethod: 'SESSION' } } });
    });

    test('an unexpected error is masked as "Internal server error."; expected ones keep their message', async () => {
      const spy = jest
        .spyOn(t.server.services.connections, 'list')
        .mockRejectedValueOnce(
          new Error('connect ECONNREFUSED 10.1.2.3:5432 (user=connections password=hunter2)'),
        );
      try {
        const r = await post(t, { query: '{ connections { totalCount } }' }, admin);
        expect(r.body.errors).toHaveLength(1);
        expect(r.body.errors![0]).toMatchObject({
          message: 'Internal server error.',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        });
        expect(r.raw).not.toMatch(/ECONNREFUSED|hunter2|10\.1\.2\.3/);
        expectNoStackTraces(r.raw);
      } finally {
        spy.mockRestore();
      }
      // Errors raised on purpose are not masked.
      const missing = await post(t, { query: '{ connection(id: "missing") { id } }' }, admin);
      expect(missing.body.errors![0]).toMatchObject({
        message: 'Connection was not found.',
        extensions: { code: 'NOT_FOUND' },
      });
      const anonymous = await post(t, { query: '{ connections { totalCount } }' });
      expect(anonymous.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    });

    test('a real database failure is masked too, and names no table or SQL', async () => {
      // Break one table (the server is closed normally afterwards) rather than the whole data source.
      await t.server.ds.query('DROP TABLE audit_event');
      const r = await post(t, { query: '{ auditEvents { totalCount } }' }, admin);
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors![0]).toMatchObject({
        message: 'Internal server error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(r.raw).not.toMatch(/audit_event|SELECT|relation|no such table/i);
      expectNoStackTraces(r.raw);
      // The rest of the API keeps working.
      const ok = await post(t, { query: '{ viewer { authMethod } }' }, admin);
      expect(ok.body.data).toEqual({ viewer: { authMethod: 'SESSION' } });
    });
  });
});
