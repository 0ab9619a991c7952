import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { databases, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(60_000);

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback upstream that records what reached it and answers with JSON, or bytes under /bytes. */
async function startUpstream() {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url!.startsWith('/api/bytes')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(Buffer.from([0, 1, 2, 250, 255]));
      }
      res.writeHead(req.url!.startsWith('/api/missing') ? 404 : 200, {
        'content-type': 'application/json',
        'x-upstream': 'yes',
        connection: 'keep-alive',
      });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(databases())('invocations (%s)', (db) => {
  let t: TestServer;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let token: string;

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    upstream = await startUpstream();
    const admin = await t.adminAuth();
    token = (await t.gql('mutation { createApiToken(input: {name: "inv"}) { token } }', {}, admin)).data!
      .createApiToken.token;
  });
  afterAll(async () => {
    await upstream?.close();
    await t?.close();
  });

  async function connected(
    name: string,
    service: Record<string, unknown>,
    credentials: Record<string, string>,
  ) {
    const s = await t.gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
      { i: { name, apiBaseUrls: [`${upstream.url}/api`], ...service } },
      { token },
    );
    expect(s.errors).toBeUndefined();
    const c = await t.gql(
      'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName status } } }',
      { i: { name, service: s.data!.createCustomService.slug, credentials } },
      { token },
    );
    expect(c.data!.createAndConnect.connection.status).toBe('CONNECTED');
    return c.data!.createAndConnect.connection.linkName as string;
  }

  const invoke = (input: Record<string, unknown>) =>
    t.gql(
      'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status headers body bodyBase64 durationMs } }',
      { i: input },
      { token },
    );

  test('API key in a header: invokeUrl with a relative URL, a query map and a JSON body', async () => {
    const link = await connected(
      'Key header',
      { authType: 'API_KEY', paramType: 'HEADERS', apiKeyParamName: 'X-Api-Key' },
      { apiKey: 'key-in-header-123' },
    );
    upstream.seen.length = 0;
    const r = await invoke({
      connection: link,
      url: 'items',
      method: 'POST',
      query: { a: '1', b: ['2', '3'] },
      headers: { 'content-type': 'application/json', authorization: 'Bearer should-not-pass' },
      body: '{"x":1}',
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.invokeUrl).toMatchObject({ status: 200, bodyBase64: false });
    expect(JSON.parse(r.data!.invokeUrl.body)).toEqual({ ok: true, path: '/api/items?a=1&b=2&b=3' });
    expect(r.data!.invokeUrl.headers['x-upstream']).toBe('yes');
    expect(r.data!.invokeUrl.headers.connection).toBeUndefined();
    const hit = upstream.seen[0]!;
    expect(hit.headers['x-api-key']).toBe('key-in-header-123');
    expect(hit.headers.authorization).toBeUndefined();
    expect(hit.body).toBe('{"x":1}');
    expect(r.raw).not.toContain('key-in-header-123');
  });

  test('Basic credentials through /proxy, with the status and body streamed back', async () => {
    const link = await connected(
      'Basic proxy',
      { authType: 'BASIC', paramType: 'HEADERS' },
      { username: 'alice', password: 'pw-basic-456' },
    );
    upstream.seen.length = 0;
    const res = await fetch(`${t.url}/proxy/${link}/missing/thing?q=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: true, path: '/api/missing/thing?q=1' });
    expect(upstream.seen[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('alice:pw-basic-456').toString('base64')}`,
    );
  });

  test('binary bodies come back base64 with a flag', async () => {
    const link = await connected(
      'Key query',
      { authType: 'API_KEY', paramType: 'QUERY_STRING', apiKeyParamName: 'api_key' },
      { apiKey: 'key-in-query' },
    );
    const r = await invoke({ connection: link, url: `${upstream.url}/api/bytes` });
    expect(r.data!.invokeUrl).toMatchObject({
      status: 200,
      bodyBase64: true,
      body: Buffer.from([0, 1, 2, 250, 255]).toString('base64'),
    });
  });

  test('a host outside the API base URLs is refused, and nothing is sent', async () => {
    const link = await connected(
      'Key guarded',
      { authType: 'API_KEY', paramType: 'HEADERS', apiKeyParamName: 'X-Key' },
      { apiKey: 'guarded-key' },
    );
    upstream.seen.length = 0;
    const r = await invoke({ connection: link, url: 'http://example.com/steal' });
    expect(r.errors?.[0]?.extensions?.code).toBe('HOST_NOT_ALLOWED');
    expect(upstream.seen).toHaveLength(0);
  });

  test('a connection without an authorization for the principal answers NEEDS_AUTHORIZATION with a connect URL', async () => {
    const s = await t.gql(
      'mutation { createCustomService(input: {name: "Unconnected", authType: API_KEY, apiKeyParamName: "k", apiBaseUrls: ["http://127.0.0.1:9"]}) { slug } }',
      {},
      { token },
    );
    const c = await t.gql(
      'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id linkName } }',
      { i: { name: 'Not yet', service: s.data!.createCustomService.slug } },
      { token },
    );
    const r = await invoke({ connection: c.data!.createConnection.linkName, url: 'x' });
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: 'NEEDS_AUTHORIZATION',
      connectUrl: `${t.url}/connections/${c.data!.createConnection.id}`,
    });
  });

  test('every invocation is an audit event without header values, query or body', async () => {
    const audit = await t.gql(
      '{ auditEvents(filter: {action: "connection.invoked"}, first: 50) { nodes { message metadata } } }',
      {},
      { token },
    );
    const nodes = audit.data!.auditEvents.nodes;
    expect(nodes.length).toBeGreaterThanOrEqual(3);
    expect(nodes[0].metadata).toEqual(
      expect.objectContaining({
        method: expect.any(String),
        host: expect.any(String),
        path: expect.any(String),
        status: expect.any(String),
        durationMs: expect.any(Number),
      }),
    );
    for (const secret of ['key-in-header-123', 'pw-basic-456', 'key-in-query', 'a=1', '{"x":1}'])
      expect(audit.raw).not.toContain(secret);
  });

  test('GET /metrics exposes invocations, latency, refreshes and authorizations by status', async () => {
    const text = await t.metrics();
    expect(text).toMatch(/connections_invocations_total\{connection="key_header",outcome="2xx"\} 1/);
    expect(text).toMatch(/connections_upstream_latency_seconds_bucket/);
    expect(text).toMatch(/connections_authorizations\{status="CONNECTED"\} \d+/);
  });
});
