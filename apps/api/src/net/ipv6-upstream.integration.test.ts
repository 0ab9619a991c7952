import { isIPv6 } from 'node:net';
import os from 'node:os';
import { type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';

jest.setTimeout(60_000);

const hasIPv6Loopback = Object.values(os.networkInterfaces()).some((list) =>
  list?.some((i) => i.internal && isIPv6(i.address) && i.address === '::1'),
);
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

async function connectedTo(t: TestServer, token: string, baseUrl: string): Promise<string> {
  const slug = ok(
    await t.gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
      {
        i: {
          name: 'IPv6 API',
          authType: 'API_KEY',
          paramType: 'HEADERS',
          apiKeyParamName: 'X-Key',
          apiBaseUrls: [baseUrl],
        },
      },
      { token },
    ),
  ).createCustomService.slug;
  return ok(
    await t.gql(
      'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName } } }',
      { i: { name: 'IPv6 API', service: slug, credentials: { apiKey: 'k' } } },
      { token },
    ),
  ).createAndConnect.connection.linkName as string;
}

// With the sandbox on, the guarded agent compares every connection with this server's origin. An IPv6
// literal upstream made that comparison throw ("Invalid URL"): INTERNAL_SERVER_ERROR for every call.
(hasIPv6Loopback ? describe : describe.skip)('an IPv6-literal upstream while the sandbox is on', () => {
  let upstream: Upstream;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => void res.end('v6 reached'), { host: '::1' });
  });
  afterAll(async () => {
    for (const t of servers) await t.close();
    await upstream?.close();
  });

  async function invokeWith(allowPrivate: boolean) {
    const t = await startTestServer('sqlite', {
      CONNECTIONS_SANDBOX: 'true',
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: String(allowPrivate),
    });
    servers.push(t);
    expect(t.server.services.config.sandbox).toBe(true);
    const admin = await t.adminAuth();
    const token = ok(await t.gql('mutation { createApiToken(input: {name: "v6"}) { token } }', {}, admin))
      .createApiToken.token;
    const link = await connectedTo(t, token, `${upstream.url}/`);
    return t.gql(INVOKE, { i: { connection: link, url: 'ping' } }, { token });
  }

  test('private networks allowed: the call reaches it', async () => {
    const r = ok(await invokeWith(true));
    expect(r.invokeUrl).toEqual({ status: 200, body: 'v6 reached' });
  });

  test('private networks refused: HOST_NOT_ALLOWED, and nothing reaches it', async () => {
    const before = upstream.accepted();
    const r = await invokeWith(false);
    expect(r.errors?.[0]?.extensions?.code).toBe('HOST_NOT_ALLOWED');
    expect(upstream.accepted()).toBe(before);
  });
});
