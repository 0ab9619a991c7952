import type http from 'node:http';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';

jest.setTimeout(60_000);

// invokeUrl's per-call options (issue 14): timeoutMs, followRedirects, retry; and what the response says
// (final URL, attempts, rate-limit figures). Upstream hits are counted; no assertion is about time.

const DEPLOYMENT_TIMEOUT_MS = 20_000;
const INVOKE =
  'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body url attempts rateLimit { limit remaining resetAt } } }';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

describe.each(databases())('invokeUrl options (%s)', (db) => {
  let t: TestServer;
  let token: string;
  let admin: { token?: string; cookie?: string };
  const upstreams: Upstream[] = [];

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const start = async (handler: Handler) => {
    const u = await startUpstream(handler);
    upstreams.push(u);
    return u;
  };
  /** A connection whose service's API base URLs are these upstreams' /api/. */
  const connectedTo = async (name: string, ...hosts: Upstream[]) => {
    const slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name,
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: hosts.map((h) => `${h.url}/api/`),
          },
        },
        { token },
      ),
    ).createCustomService.slug;
    return ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id linkName } } }',
        { i: { name, service: slug, credentials: { apiKey: 'options-key' } } },
        { token },
      ),
    ).createAndConnect.connection as { id: string; linkName: string };
  };
  const invoke = (connection: string, extra: Record<string, unknown> = {}) =>
    t.gql(INVOKE, { i: { connection, url: 'x', ...extra } }, { token });

  beforeAll(async () => {
    t = await startTestServer(db, {
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
      CONNECTIONS_UPSTREAM_TIMEOUT_MS: String(DEPLOYMENT_TIMEOUT_MS),
    });
    admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "options"}) { token } }', {}, admin))
      .createApiToken.token;
  });
  afterAll(async () => {
    for (const u of upstreams) await u.close();
    await t?.close();
  });

  test('timeoutMs: the call ends at its own limit; above the deployment maximum is refused, naming it', async () => {
    const silent = await start(() => {}); // never answers
    const c = await connectedTo('Slow', silent);
    const r = await invoke(c.linkName, { timeoutMs: 300 });
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    // The message names the call's limit, not the deployment's 20 s: the per-call one applied.
    expect(r.errors?.[0]?.message).toContain('300 ms');
    const over = await invoke(c.linkName, { timeoutMs: DEPLOYMENT_TIMEOUT_MS + 1 });
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeoutMs' });
    expect(over.errors?.[0]?.message).toContain(String(DEPLOYMENT_TIMEOUT_MS));
    await silent.drained();
  });

  test('followRedirects: hops followed with credentials on the same origin; the final URL comes back', async () => {
    const seen: { url: string; key?: string }[] = [];
    const u = await start((req, res) => {
      seen.push({ url: req.url!, key: req.headers['x-key'] as string | undefined });
      if (req.url === '/api/x') return void res.writeHead(302, { location: '/api/y' }).end();
      if (req.url === '/api/y') return void res.writeHead(307, { location: 'z?n=1' }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`at ${req.url}`);
    });
    const c = await connectedTo('Hops', u);
    const off = ok(await invoke(c.linkName)).invokeUrl;
    expect(off).toMatchObject({ status: 302, url: `${u.url}/api/x` });
    seen.length = 0;
    const on = ok(await invoke(c.linkName, { followRedirects: true })).invokeUrl;
    expect(on).toMatchObject({ status: 200, body: 'at /api/z?n=1', url: `${u.url}/api/z?n=1`, attempts: 1 });
    expect(seen).toEqual([
      { url: '/api/x', key: 'options-key' },
      { url: '/api/y', key: 'options-key' },
      { url: '/api/z?n=1', key: 'options-key' },
    ]);
  });

  test('a POST redirected by 303 becomes a GET without its body', async () => {
    const u = await start((req, res, body) => {
      if (req.url === '/api/x') return void res.writeHead(303, { location: '/api/done' }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${body.length}`);
    });
    const c = await connectedTo('See other', u);
    const r = ok(await invoke(c.linkName, { method: 'POST', body: 'payload', followRedirects: true }));
    expect(r.invokeUrl.body).toBe('GET 0');
  });

  test('a hop to another of the service hosts goes without credentials; one off its hosts is refused', async () => {
    const other = await start((req, res) => void res.end(`key=${req.headers['x-key'] ?? 'none'}`));
    const outside = await start((_req, res) => void res.end('never'));
    const first = await start((req, res) => {
      const to = req.url === '/api/x' ? `${other.url}/api/there` : `${outside.url}/api/there`;
      res.writeHead(302, { location: to }).end();
    });
    const c = await connectedTo('Cross origin', first, other);
    const r = ok(await invoke(c.linkName, { followRedirects: true })).invokeUrl;
    expect(r).toMatchObject({ status: 200, body: 'key=none', url: `${other.url}/api/there` });
    const refused = await invoke(c.linkName, { url: 'elsewhere', followRedirects: true });
    expect(refused.errors?.[0]?.extensions?.code).toBe('HOST_NOT_ALLOWED');
    expect(outside.accepted()).toBe(0);
  });

  test('at most 5 hops', async () => {
    let hits = 0;
    const u = await start((_req, res) => {
      hits += 1;
      res.writeHead(302, { location: `/api/loop${hits}` }).end();
    });
    const c = await connectedTo('Loop', u);
    const r = await invoke(c.linkName, { followRedirects: true });
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.errors?.[0]?.message).toContain('more than 5');
    expect(hits).toBe(6); // the request and its 5 redirects
  });

  test('retry: Retry-After honoured on 503, each attempt audited, attempts reported', async () => {
    let hits = 0;
    const u = await start((_req, res) => {
      hits += 1;
      if (hits < 3) return void res.writeHead(503, { 'retry-after': '0' }).end('busy');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('done');
    });
    const c = await connectedTo('Flaky', u);
    const r = ok(await invoke(c.linkName, { retry: { attempts: 3 } })).invokeUrl;
    expect(r).toMatchObject({ status: 200, body: 'done', attempts: 3 });
    expect(hits).toBe(3);
    await t.server.services.audit.flush();
    const audit = ok(
      await t.gql(
        'query($f: AuditEventFilter) { auditEvents(filter: $f, first: 10) { nodes { metadata } } }',
        { f: { connectionId: c.id, action: 'connection.invoked' } },
        admin,
      ),
    ).auditEvents.nodes.map((n: { metadata: Record<string, unknown> }) => n.metadata);
    expect(audit.map((m: any) => [m.attempt, m.status, m.outcome]).sort()).toEqual([
      [1, '503', 'RETRIED'],
      [2, '503', 'RETRIED'],
      [3, '200', '2xx'],
    ]);
  });

  test('retry: not for a POST unless anyMethod; exhausted attempts return the last answer', async () => {
    let hits = 0;
    const u = await start((_req, res) => {
      hits += 1;
      res.writeHead(429, { 'retry-after': '0' }).end('slow down');
    });
    const c = await connectedTo('Limited', u);
    const refused = await invoke(c.linkName, { method: 'POST', body: 'x', retry: { attempts: 2 } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'retry' });
    expect(hits).toBe(0);
    const r = ok(
      await invoke(c.linkName, { method: 'POST', body: 'x', retry: { attempts: 2, anyMethod: true } }),
    );
    expect(r.invokeUrl).toMatchObject({ status: 429, attempts: 2 });
    expect(hits).toBe(2);
  });

  test('retry: a Retry-After past the time limit ends the call with that answer; other statuses are not retried', async () => {
    let hits = 0;
    const u = await start((req, res) => {
      hits += 1;
      if (req.url === '/api/x') return void res.writeHead(503, { 'retry-after': '3600' }).end();
      res.writeHead(500).end();
    });
    const c = await connectedTo('Later', u);
    const r = ok(await invoke(c.linkName, { retry: { attempts: 5 }, timeoutMs: 5000 }));
    expect(r.invokeUrl).toMatchObject({ status: 503, attempts: 1 });
    expect(hits).toBe(1);
    // 500 is not among the default statuses (429, 502, 503, 504); named, it is retried with backoff.
    const notRetried = ok(await invoke(c.linkName, { url: 'e', retry: { attempts: 3 } }));
    expect(notRetried.invokeUrl).toMatchObject({ status: 500, attempts: 1 });
    const retried = ok(await invoke(c.linkName, { url: 'e', retry: { attempts: 3, onStatuses: [500] } }));
    expect(retried.invokeUrl).toMatchObject({ status: 500, attempts: 3 });
    expect(hits).toBe(5);
  });

  test('Basic in a query string or form is refused, saying why', async () => {
    for (const paramType of ['QUERY_STRING', 'FORM_DATA']) {
      const r = await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: `Basic ${paramType}`,
            authType: 'BASIC',
            paramType,
            apiBaseUrls: ['https://b.example.com/'],
          },
        },
        { token },
      );
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/Authorization header \(RFC 7617\).*logs/);
    }
  });

  test('rate-limit headers are parsed: X-RateLimit-*, RateLimit-*, RateLimit with RateLimit-Policy', async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    const u = await start((req, res) => {
      const headers: Record<string, string> =
        req.url === '/api/x'
          ? {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '4999',
              'x-ratelimit-reset': String(reset),
            }
          : req.url === '/api/draft'
            ? { 'ratelimit-limit': '100', 'ratelimit-remaining': '7', 'ratelimit-reset': '30' }
            : req.url === '/api/ietf'
              ? { ratelimit: '"default";r=50;t=60', 'ratelimit-policy': '"default";q=100;w=60' }
              : {};
      res.writeHead(200, headers).end('{}');
    });
    const c = await connectedTo('Paced', u);
    const x = ok(await invoke(c.linkName)).invokeUrl.rateLimit;
    expect(x).toEqual({ limit: 5000, remaining: 4999, resetAt: new Date(reset * 1000).toISOString() });
    const draft = ok(await invoke(c.linkName, { url: 'draft' })).invokeUrl.rateLimit;
    expect(draft).toMatchObject({ limit: 100, remaining: 7 });
    expect(Date.parse(draft.resetAt)).toBeGreaterThan(Date.now());
    const ietf = ok(await invoke(c.linkName, { url: 'ietf' })).invokeUrl.rateLimit;
    expect(ietf).toMatchObject({ limit: 100, remaining: 50 });
    expect(ok(await invoke(c.linkName, { url: 'none' })).invokeUrl.rateLimit).toBeNull();
  });
});
