import http from 'node:http';
import net from 'node:net';
import { type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';
import { PROXY_RESPONSE_CSP } from './proxy';

jest.setTimeout(60_000);

// What /proxy lets through in each direction (issue 12, items 9 and 22): the caller is known before the
// body is read; of a browser's request only an allowlist of fields goes upstream; the upstream's body is
// served under a policy that keeps it from running on this origin.

describe('/proxy: authentication first, an allowlist of headers, a locked-down response', () => {
  let t: TestServer;
  let token: string;
  let upstream: Upstream;
  let link: string;
  let html = false;

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };

  /** A raw HTTP request (fetch would add and forbid fields of its own); resolves with status, headers, body. */
  const raw = (path: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
      const req = http.request(`${t.url}${path}`, { method: body ? 'POST' : 'GET', headers });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  /**
   * Sends the head of a request announcing `declared` body bytes and only `sent` of them, then waits for the
   * answer: a server that reads the body before deciding never answers (the test's own timeout fails it).
   */
  const announce = (head: string, declared: number, sent: number) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1');
      let answer = '';
      socket.on('data', (d: Buffer) => {
        answer += d.toString();
        if (/\r\n\r\n/.test(answer)) {
          socket.destroy();
          resolve(answer);
        }
      });
      socket.on('error', reject);
      socket.write(
        `${head}\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          `Content-Length: ${declared}\r\n\r\n${'a=b&'.repeat(sent / 4)}`,
      );
    });

  beforeAll(async () => {
    t = await startTestServer('sqlite', { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "proxy"}) { token } }', {}, admin))
      .createApiToken.token;
    upstream = await startUpstream((_req, res) => {
      if (html) {
        res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': 'default-src *' });
        return void res.end('<script>parent.postMessage(document.cookie, "*")</script>');
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Echo',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${upstream.url}/api/`],
          },
        },
        { token },
      ),
    ).createCustomService.slug;
    link = ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName } } }',
        { i: { name: 'Echo', service: slug, credentials: { apiKey: 'proxy-key' } } },
        { token },
      ),
    ).createAndConnect.connection.linkName as string;
  });
  afterAll(async () => {
    await upstream?.close();
    await t?.close();
  });

  test("a browser's own fields stay here; standard, x-* and explicitly named fields go upstream", async () => {
    upstream.seen.length = 0;
    const res = await raw(`/proxy/${link}/things`, {
      authorization: `Bearer ${token}`,
      // What a browser adds about the page the call comes from.
      origin: 'https://console.example',
      referer: 'https://console.example/connections/42?secret=1',
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'cors',
      'sec-fetch-dest': 'empty',
      'sec-ch-ua': '"Chromium";v="140"',
      'sec-ch-ua-platform': '"Linux"',
      dnt: '1',
      priority: 'u=1, i',
      'upgrade-insecure-requests': '1',
      'x-connections-proxy': '1',
      'x-forwarded-port': '443',
      // What the caller means for the API.
      accept: 'application/json',
      'accept-language': 'fr',
      'if-none-match': '"v1"',
      'user-agent': 'integration-test',
      'x-trace': 'abc',
      'x-connections-header-notion-version': '2022-06-28',
    });
    expect(res.status).toBe(200);
    const seen = upstream.seen[0]!.headers;
    for (const dropped of [
      'origin',
      'referer',
      'sec-fetch-site',
      'sec-fetch-mode',
      'sec-fetch-dest',
      'sec-ch-ua',
      'sec-ch-ua-platform',
      'dnt',
      'priority',
      'upgrade-insecure-requests',
      'x-connections-proxy',
      'x-forwarded-port',
      'x-connections-header-notion-version',
    ])
      expect([dropped, seen[dropped]]).toEqual([dropped, undefined]);
    expect(seen).toMatchObject({
      accept: 'application/json',
      'accept-language': 'fr',
      'if-none-match': '"v1"',
      'user-agent': 'integration-test',
      'x-trace': 'abc',
      'notion-version': '2022-06-28',
      'x-key': 'proxy-key',
    });
    expect(seen.authorization).toBeUndefined();
  });

  test('an unauthenticated form is refused before its body is read, and the connection closed', async () => {
    // 20 MB declared, over the form limit: refused for who sends it (401), not for its size (413).
    const big = await announce(`POST /proxy/${link}/things HTTP/1.1`, 20 * 1024 * 1024, 0);
    expect(big).toMatch(/^HTTP\/1\.1 401 /);
    // A body that never arrives: the answer does not wait for it.
    const stalled = await announce(`POST /proxy/${link}/things HTTP/1.1`, 100_000, 1000);
    expect(stalled).toMatch(/^HTTP\/1\.1 401 /);
    expect(stalled).toMatch(/\r\nconnection: close\r\n/i);
  });

  test('a console-session form without the CSRF header is refused before its body is read', async () => {
    const admin = await t.adminAuth();
    const answer = await announce(
      `POST /proxy/${link}/things HTTP/1.1\r\nCookie: ${admin.cookie}`,
      100_000,
      1000,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
  });

  test("the upstream's body is served under a policy that lets nothing run, whatever the upstream said", async () => {
    html = true;
    try {
      const res = await raw(`/proxy/${link}/page`, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      expect(res.headers['content-security-policy']).toBe(PROXY_RESPONSE_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      html = false;
    }
  });
});
