import http from 'node:http';
import {
  addMember,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';

jest.setTimeout(60_000);

// Issue 12, items 11 and 14. An API base URL with a path confines calls under that path: the loopback
// upstream below also serves /secret and /metrics next to /api/, and no spelling of a climb reaches them.
// A header the caller cannot send is their mistake (BAD_USER_INPUT naming it), recorded so, not an outage.

const API_KEY = 'paths-key-7f3a91';
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';

describe.each(databases())('invocations: path confinement and header checks (%s)', (db) => {
  let t: TestServer;
  let up: Upstream;
  let token: string;
  let link: string;

  const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
  const invoke = (url: string, extra: Record<string, unknown> = {}) =>
    t.gql(INVOKE, { i: { connection: link, url, ...extra } }, { token });

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    up = await startUpstream((req, res) => void res.end(`at ${req.url}`));
    const admin = await t.adminAuth();
    const slug = (
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Confined',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${up.url}/api/`],
          },
        },
        admin,
      )
    ).data!.createCustomService.slug;
    const member = await addMember(t, 'paths-member@example.com');
    token = (await t.gql('mutation { createApiToken(input: {name: "paths"}) { token } }', {}, member.auth))
      .data!.createApiToken.token;
    const created = await t.gql(
      'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName } } }',
      { i: { name: 'Confined', service: slug, credentials: { apiKey: API_KEY } } },
      { token },
    );
    link = created.data!.createAndConnect.connection.linkName;
  });
  afterAll(async () => {
    await up?.close();
    await t?.close();
  });

  test('paths under the base URL path are called, normalised', async () => {
    const seen = up.seen.length;
    for (const [url, path] of [
      ['users/1', '/api/users/1'],
      ['/users/1', '/api/users/1'], // rooted: still relative to the base URL
      ['a/../users', '/api/users'],
      ['projects/group%2Fproject', '/api/projects/group%2Fproject'], // an encoded slash that stays under it
      [`${up.url}/api/v2/x`, '/api/v2/x'], // absolute, under the base path
    ] as const) {
      const r = await invoke(url);
      expect({ url, errors: r.errors, data: r.data }).toEqual({
        url,
        errors: undefined,
        data: { invokeUrl: { status: 200, body: `at ${path}` } },
      });
    }
    expect(up.seen.slice(seen).every((s) => s.headers['x-key'] === API_KEY)).toBe(true);
  });

  test('a relative path that climbs out of the base path is refused before anything is sent', async () => {
    const seen = up.seen.length;
    for (const url of [
      '../secret',
      '../../metrics',
      '%2e%2e/secret',
      '.%2E/secret',
      '..%2fsecret', // a server that decodes %2f would read ../secret
      'a/..%2F..%2Fsecret',
      '%252e%252e/secret', // and one that decodes twice
      '..;/secret', // Tomcat-style path parameter
      '\\..\\secret', // backslashes are slashes to the URL parser
    ]) {
      const r = await invoke(url);
      expect({ url, code: codeOf(r), field: r.errors?.[0]?.extensions?.field }).toEqual({
        url,
        code: 'BAD_USER_INPUT',
        field: 'url',
      });
    }
    expect(up.seen.length).toBe(seen);
  });

  test('an absolute URL on the same origin but outside the base path is HOST_NOT_ALLOWED', async () => {
    const seen = up.seen.length;
    for (const url of [
      `${up.url}/secret`,
      `${up.url}/api/../metrics`,
      `${up.url}/api/..%2fmetrics`,
      `${up.url}/apix`,
    ]) {
      const r = await invoke(url);
      expect({ url, code: codeOf(r) }).toEqual({ url, code: 'HOST_NOT_ALLOWED' });
      expect(r.raw).not.toContain(API_KEY);
    }
    expect(up.seen.length).toBe(seen);
  });

  test('the /proxy route is confined the same way', async () => {
    const seen = up.seen.length;
    // node:http with a path sends it as written (fetch, or a URL string, would normalise %2e%2e away first).
    const proxy = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(t.url);
        const req = http.get(
          { hostname, port, path: `/proxy/${link}/${path}`, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
      });
    expect(await proxy('users/2')).toEqual({ status: 200, body: 'at /api/users/2' });
    for (const path of ['%2e%2e/secret', '..%2fsecret', '..;/secret', '%2e%2e/%2e%2e/metrics']) {
      const r = await proxy(path);
      expect({ path, status: r.status, code: JSON.parse(r.body).error?.code }).toEqual({
        path,
        status: 400,
        code: 'BAD_USER_INPUT',
      });
    }
    expect(up.seen.length).toBe(seen + 1);
  });

  test('invalid header names and values are BAD_USER_INPUT naming the header, audited and counted so', async () => {
    const seen = up.seen.length;
    for (const [name, value] of [
      ['X-Split', 'a\r\nX-Injected: 1'],
      ['X-Newline', 'a\nb'],
      ['X-Nul', 'a\u0000b'],
      ['X-Wide', 'caf\u20ac'],
      ['Bad Name', 'x'],
      ['X-Bad\r\nName', 'x'],
    ] as const) {
      const r = await invoke('users/1', { headers: { [name]: value } });
      expect({ name, code: codeOf(r), field: r.errors?.[0]?.extensions?.field }).toEqual({
        name,
        code: 'BAD_USER_INPUT',
        field: 'headers',
      });
      expect(r.errors![0]!.message).toContain(JSON.stringify(name));
    }
    expect(up.seen.length).toBe(seen);
    const audit = await t.gql(
      '{ auditEvents(filter: {action: "connection.invoked"}, first: 100) { nodes { metadata } } }',
      {},
      await t.adminAuth(),
    );
    // These six calls were refused before users/1 was resolved against the base URL, so they are recorded with
    // the path as given; the earlier successful ones there are 200.
    const outcomes = audit
      .data!.auditEvents.nodes.filter((n: { metadata: { path: string } }) => n.metadata.path === 'users/1')
      .map((n: { metadata: { outcome: string } }) => n.metadata.outcome);
    expect(outcomes.filter((o: string) => o === 'BAD_USER_INPUT')).toHaveLength(6);
    expect(outcomes).not.toContain('UPSTREAM_UNAVAILABLE');
    const metrics = await t.metrics();
    expect(metrics).toMatch(
      new RegExp(`connections_invocations_total\\{connection="${link}",outcome="BAD_USER_INPUT"\\} (\\d+)`),
    );
    expect(metrics).not.toContain(`connection="${link}",outcome="UPSTREAM_UNAVAILABLE"`);
  });

  test('a tab and latin-1 octets are valid header values and travel', async () => {
    const r = await invoke('users/3', { headers: { 'X-Tab': 'a\tb', 'X-Latin': 'caf\u00e9' } });
    expect(r.errors).toBeUndefined();
    expect(up.seen.at(-1)!.headers['x-tab']).toBe('a\tb');
  });
});
