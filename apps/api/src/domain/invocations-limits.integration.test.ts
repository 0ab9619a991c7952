import http from 'node:http';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream, until } from '../test-support/upstream';

jest.setTimeout(60_000);

// What a misbehaving or slow upstream can do to an invocation: never answer, stall mid-body, send more than
// the size limit, redirect elsewhere; and what streaming means. Every failure must close its upstream
// socket (counted at the upstream), never leave it open. Short limits keep the file fast; nothing here
// asserts a duration.

const TIMEOUT_MS = 1500;
const MAX_BYTES = 64 * 1024;
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status headers body } }';
const CHUNK = Buffer.alloc(16 * 1024, 'x');

/** Writes CHUNK until the client goes away, honouring backpressure: an endless body. */
function endless(res: http.ServerResponse) {
  const pump = () => {
    while (!res.destroyed && res.write(CHUNK));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

describe.each(databases())('invocations: limits, redirects and streaming (%s)', (db) => {
  let t: TestServer;
  let token: string;
  const upstreams: Upstream[] = [];

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  /** A fresh upstream and an API-key connection whose first API base URL is it. */
  const connectedTo = async (
    name: string,
    handler: Parameters<typeof startUpstream>[0],
    streaming = true,
  ) => {
    const upstream = await startUpstream(handler, { streaming });
    upstreams.push(upstream);
    const slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name,
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${upstream.url}/api/`],
          },
        },
        { token },
      ),
    ).createCustomService.slug;
    const link = ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName } } }',
        { i: { name, service: slug, credentials: { apiKey: 'limits-key' } } },
        { token },
      ),
    ).createAndConnect.connection.linkName as string;
    return { upstream, link };
  };
  const invoke = (connection: string, extra: Record<string, unknown> = {}) =>
    t.gql(INVOKE, { i: { connection, url: 'x', ...extra } }, { token });
  const proxy = (path: string, init: RequestInit = {}) =>
    fetch(`${t.url}/proxy/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
    });

  beforeAll(async () => {
    t = await startTestServer(db, {
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
      CONNECTIONS_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      CONNECTIONS_MAX_RESPONSE_BYTES: String(MAX_BYTES),
    });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "limits"}) { token } }', {}, admin))
      .createApiToken.token;
  });
  afterAll(async () => {
    for (const u of upstreams) await u.close();
    await t?.close();
  });

  test('an upstream that never answers hits UPSTREAM_TIMEOUT; its socket is closed', async () => {
    let requests = 0;
    const { upstream, link } = await connectedTo('Silent', () => {
      requests += 1; // and never answers
    });
    const r = await invoke(link);
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    const res = await proxy(`${link}/x`);
    expect(res.status).toBe(504);
    expect(((await res.json()) as any).error.code).toBe('UPSTREAM_TIMEOUT');
    // One request each, never a retry. (undici opens and at once closes a spare socket after an aborted
    // request, so sockets are not counted here; that none stays open is what matters.)
    expect(requests).toBe(2);
    await upstream.drained();
  });

  test('an upstream that stalls mid-body hits UPSTREAM_TIMEOUT too; its socket is closed', async () => {
    const { upstream, link } = await connectedTo('Stalling', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the first part, then nothing');
    });
    const r = await invoke(link);
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    // Through /proxy the status and first bytes are already on their way: the response is cut.
    const res = await proxy(`${link}/x`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    await upstream.drained();
    const metrics = await t.metrics();
    expect(metrics).toMatch(
      /connections_invocations_total\{connection="stalling",outcome="UPSTREAM_TIMEOUT"\} 2/,
    );
  });

  test('a body declared larger than the limit is refused before it is read; the socket is closed', async () => {
    const { upstream, link } = await connectedTo('Declared large', (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(MAX_BYTES * 4),
      });
      endless(res);
    });
    const r = await invoke(link);
    expect(r.errors?.[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
    const res = await proxy(`${link}/x`);
    expect(res.status).toBe(502);
    expect(((await res.json()) as any).error.code).toBe('RESPONSE_TOO_LARGE');
    await upstream.drained();
  });

  test('an endless body is cut at the limit; the socket is closed', async () => {
    const { upstream, link } = await connectedTo('Endless', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      endless(res);
    });
    const r = await invoke(link);
    expect(r.errors?.[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
    // /proxy has sent the status already: the body stops at the limit and the response breaks off.
    const res = await proxy(`${link}/x`);
    expect(res.status).toBe(200);
    let received = 0;
    await expect(
      (async () => {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) received += chunk.length;
      })(),
    ).rejects.toThrow();
    expect(received).toBeLessThanOrEqual(MAX_BYTES);
    await upstream.drained();
    const metrics = await t.metrics();
    expect(metrics).toMatch(
      /connections_invocations_total\{connection="endless",outcome="RESPONSE_TOO_LARGE"\} 2/,
    );
  });

  test('a redirect comes back to the caller with its Location, and is not followed', async () => {
    const target = await startUpstream((_req, res) => void res.end('should never be reached'));
    upstreams.push(target);
    const { link } = await connectedTo(
      'Redirecting',
      (_req, res) => void res.writeHead(302, { location: `${target.url}/latest/meta-data/` }).end(),
      false,
    );
    const r = ok(await invoke(link));
    expect(r.invokeUrl).toMatchObject({
      status: 302,
      headers: { location: `${target.url}/latest/meta-data/` },
    });
    const res = await proxy(`${link}/x`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${target.url}/latest/meta-data/`);
    expect(target.accepted()).toBe(0);
  });

  test('/proxy streams the response: the first bytes arrive while the upstream is still writing', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const { link } = await connectedTo('Streaming down', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      await released; // the rest only once the caller has read the first part
      res.end('rest');
    });
    const res = await proxy(`${link}/x`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('first;');
    release();
    let rest = '';
    for (let next = await reader.read(); !next.done; next = await reader.read())
      rest += Buffer.from(next.value).toString();
    expect(rest).toBe('rest');
  });

  test('/proxy streams the request body: the upstream reads the first part before the caller sends the rest', async () => {
    let gotFirst!: () => void;
    const firstArrived = new Promise<void>((r) => (gotFirst = r));
    const { link } = await connectedTo('Streaming up', (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
        if (body.startsWith('first;')) gotFirst();
      });
      req.on('end', () => res.end(JSON.stringify({ body, key: req.headers['x-key'] })));
    });
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${t.url}/proxy/${link}/upload`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write('first;');
      void firstArrived.then(() => req.end('second'));
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ body: 'first;second', key: 'limits-key' });
  });

  test('Expect: 100-continue and hop-by-hop headers stay on their own hop', async () => {
    const { upstream, link } = await connectedTo(
      'Hops',
      (_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          connection: 'keep-alive, x-upstream-hop',
          'x-upstream-hop': 'for the proxy only',
          'keep-alive': 'timeout=5',
          'x-end-to-end': 'yes',
        });
        res.end('{}');
      },
      false,
    );
    // curl sends Expect: 100-continue with larger bodies; Node answers it, and the header must not go on.
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders }>(
      (resolve, reject) => {
        const req = http.request(`${t.url}/proxy/${link}/upload`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': '9',
            expect: '100-continue',
            connection: 'keep-alive, x-caller-hop',
            'x-caller-hop': 'for us only',
          },
        });
        req.on('continue', () => req.end('{"a":"b"}'));
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
        });
        req.on('error', reject);
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['x-end-to-end']).toBe('yes');
    expect(answer.headers['x-upstream-hop']).toBeUndefined();
    const seen = upstream.seen.at(-1)!;
    expect(seen.body).toBe('{"a":"b"}');
    expect(seen.headers.expect).toBeUndefined();
    expect(seen.headers['x-caller-hop']).toBeUndefined();

    const viaInvoke = ok(
      await invoke(link, { headers: { connection: 'x-caller-hop', 'x-caller-hop': 'no', 'x-fine': 'yes' } }),
    ).invokeUrl;
    expect(viaInvoke.headers['x-upstream-hop']).toBeUndefined();
    expect(viaInvoke.headers['keep-alive']).toBeUndefined();
    expect(upstream.seen.at(-1)!.headers).toMatchObject({ 'x-fine': 'yes', 'x-key': 'limits-key' });
    expect(upstream.seen.at(-1)!.headers['x-caller-hop']).toBeUndefined();
  });

  test('a header, query or form value that is not a string is the caller’s mistake', async () => {
    const { upstream, link } = await connectedTo('Typed', (_req, res) => void res.end('{}'), false);
    for (const input of [
      { headers: { 'x-n': { nested: true } } },
      { query: { q: { nested: true } } },
      { method: 'POST', form: { f: [['deep']] } },
    ]) {
      const r = await invoke(link, input);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(upstream.accepted()).toBe(0);
    // Numbers and booleans are written as text.
    ok(await invoke(link, { headers: { 'x-n': 5 }, query: { q: true } }));
    await until(() => upstream.seen.length === 1);
    expect(upstream.seen[0]).toMatchObject({ url: '/api/x?q=true', headers: { 'x-n': '5' } });
  });
});
