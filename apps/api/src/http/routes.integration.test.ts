import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { METRICS_TOKEN, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(60_000);

// Security headers on the console and the API (issue 12, item 9) and who may read /metrics (item 10). The
// built console under this policy is proven in a browser by apps/admin/e2e; here, what each response says.

const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
      .map(([k, ...v]) => [k, v]),
  );

/** The server's own address: its URL is PUBLIC_URL, which names a host this machine does not resolve. */
const local = (t: TestServer) => `http://127.0.0.1:${t.server.port}`;

describe('security headers and /metrics', () => {
  let plain: TestServer;
  let https: TestServer;
  let consoleDir: string;

  beforeAll(async () => {
    consoleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-console-'));
    fs.mkdirSync(path.join(consoleDir, 'assets'));
    fs.writeFileSync(
      path.join(consoleDir, 'index.html'),
      '<!doctype html><script type="module" src="/assets/app.js"></script>',
    );
    fs.writeFileSync(path.join(consoleDir, 'assets', 'app.js'), 'export {};');
    [plain, https] = await Promise.all([
      startTestServer('sqlite', { CONNECTIONS_CONSOLE_DIR: consoleDir }),
      // The URL browsers use is https (a TLS-terminating proxy in front); metrics left off.
      startTestServer('sqlite', {
        PUBLIC_URL: 'https://connections.example.com',
        CONNECTIONS_METRICS_TOKEN: '',
      }),
    ]);
  });
  afterAll(async () => {
    await plain?.close();
    await https?.close();
    fs.rmSync(consoleDir, { recursive: true, force: true });
  });

  test('the console: a strict Content-Security-Policy, nosniff, a referrer policy, no framing', async () => {
    for (const target of ['/', '/connections/42', '/assets/app.js']) {
      const res = await fetch(`${plain.url}${target}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      // Over http, no HSTS; and no opener policy, which would cut the OAuth popup off from the console.
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    }
  });

  test('the API carries them too: GraphQL, probes, errors', async () => {
    const gql = await plain.gql('{ __typename }');
    const probe = await fetch(`${plain.url}/healthz`);
    const broken = await fetch(`${plain.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    for (const headers of [gql.headers, probe.headers, broken.headers]) {
      expect(directives(headers.get('content-security-policy')).get('default-src')).toEqual(["'self'"]);
      expect(headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  test('with an https PUBLIC_URL: Strict-Transport-Security, and insecure requests upgraded', async () => {
    const res = await fetch(`${local(https)}/healthz`);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(directives(res.headers.get('content-security-policy')).has('upgrade-insecure-requests')).toBe(
      true,
    );
  });

  test('GET /metrics answers only the metrics token (RFC 6750 challenge otherwise)', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${METRICS_TOKEN}`]) {
      const res = await fetch(`${plain.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(((await res.json()) as any).error.code).toBe('UNAUTHENTICATED');
    }
    // An admin's API token is not the metrics token: the series span every workspace.
    const admin = await plain.adminAuth();
    const { token } = (
      await plain.gql('mutation { createApiToken(input: {name: "m"}) { token } }', {}, admin)
    ).data!.createApiToken;
    expect(
      (await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
    expect(await plain.metrics()).toMatch(/connections_authorizations/);
  });

  test('without CONNECTIONS_METRICS_TOKEN, /metrics is off', async () => {
    const res = await fetch(`${local(https)}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/connections_/);
  });
});
