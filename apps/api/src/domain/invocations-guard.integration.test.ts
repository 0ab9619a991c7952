import { isIPv6 } from 'node:net';
import os from 'node:os';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream, type UpstreamHandler } from '../test-support/upstream';

jest.setTimeout(60_000);

// The network guard as a deployment without CONNECTIONS_ALLOW_PRIVATE_NETWORKS sees it: a service may list
// loopback, private or metadata addresses among its API base URLs (an admin's mistake or an attacker's
// custom service), and still no invocation reaches them. A loopback upstream counts every socket it
// accepts: refused means not one byte sent.

const API_KEY = 'guarded-key-52e7a0';
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status headers body } }';
const hasIPv6Loopback = Object.values(os.networkInterfaces()).some((list) =>
  list?.some((i) => i.internal && isIPv6(i.address) && i.address === '::1'),
);

describe.each(databases())('invocations: network guard, private networks refused (%s)', (db) => {
  let t: TestServer;
  let v4: Upstream;
  let v6: Upstream | undefined;
  let token: string;
  const links: Record<string, string> = {};

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const connected = async (name: string, apiBaseUrls: string[]) => {
    const slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        { i: { name, authType: 'API_KEY', paramType: 'HEADERS', apiKeyParamName: 'X-Key', apiBaseUrls } },
        { token },
      ),
    ).createCustomService.slug;
    return ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName } } }',
        { i: { name, service: slug, credentials: { apiKey: API_KEY } } },
        { token },
      ),
    ).createAndConnect.connection.linkName as string;
  };
  const invoke = (connection: string, url: string) => t.gql(INVOKE, { i: { connection, url } }, { token });

  beforeAll(async () => {
    t = await startTestServer(db);
    expect(t.server.services.config.invocation.allowPrivateNetworks).toBe(false);
    const answer: UpstreamHandler = (_req, res) => void res.end('reached');
    v4 = await startUpstream(answer);
    if (hasIPv6Loopback) v6 = await startUpstream(answer, { host: '::1' });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "guard"}) { token } }', {}, admin))
      .createApiToken.token;
    const p = v4.port;
    links.everywhere = await connected('Everywhere', [
      `http://127.0.0.1:${p}/`,
      `http://2130706433:${p}/`, // 127.0.0.1 as one decimal number
      `http://0177.0.0.1:${p}/`, // octal
      `http://0x7f.1:${p}/`, // hexadecimal, shortened
      `http://[::ffff:127.0.0.1]:${p}/`, // IPv4-mapped IPv6
      `http://localhost:${p}/`, // a name that resolves to loopback
      ...(v6 ? [`http://[::1]:${v6.port}/`] : []),
      'http://169.254.169.254/', // cloud metadata
      'http://10.0.0.1/',
      'http://192.168.1.1/',
      'http://[fd00::1]/', // unique-local
      'http://[fe80::1]/', // link-local
      'http://0.0.0.0/',
    ]);
    links.loopback = await connected('Loopback first', [`http://127.0.0.1:${p}/api/`]);
    links.byName = await connected('Loopback by name', [`http://localhost:${p}/api/`]);
  });
  afterAll(async () => {
    await v4?.close();
    await v6?.close();
    await t?.close();
  });

  const refused = [
    ['127.0.0.1', (p: number) => `http://127.0.0.1:${p}/x`],
    ['2130706433 (decimal)', (p: number) => `http://2130706433:${p}/x`],
    ['0177.0.0.1 (octal)', (p: number) => `http://0177.0.0.1:${p}/x`],
    ['0x7f.1 (hexadecimal)', (p: number) => `http://0x7f.1:${p}/x`],
    ['[::ffff:127.0.0.1] (IPv4-mapped)', (p: number) => `http://[::ffff:127.0.0.1]:${p}/x`],
    ['localhost (resolves to loopback)', (p: number) => `http://localhost:${p}/x`],
    ['169.254.169.254 (metadata)', () => 'http://169.254.169.254/latest/meta-data/iam/'],
    ['10.0.0.1', () => 'http://10.0.0.1/x'],
    ['192.168.1.1', () => 'http://192.168.1.1/x'],
    ['[fd00::1] (unique-local)', () => 'http://[fd00::1]/x'],
    ['[fe80::1] (link-local)', () => 'http://[fe80::1]/x'],
    ['0.0.0.0', () => 'http://0.0.0.0/x'],
  ] as const;

  test.each(refused)('%s is refused with HOST_NOT_ALLOWED, and no socket reaches it', async (_name, url) => {
    const r = await invoke(links.everywhere!, url(v4.port));
    expect(r.data ?? null).toBeNull();
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    expect(r.errors![0]!.message).not.toContain(API_KEY);
    expect(v4.accepted()).toBe(0);
  });

  (hasIPv6Loopback ? test : test.skip)('[::1] is refused, and no socket reaches it', async () => {
    const r = await invoke(links.everywhere!, `http://[::1]:${v6!.port}/x`);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    expect(v6!.accepted()).toBe(0);
  });

  test('/proxy to a loopback base URL, by address or by name, answers 403 HOST_NOT_ALLOWED', async () => {
    for (const link of [links.loopback!, links.byName!]) {
      const res = await fetch(`${t.url}/proxy/${link}/things?x=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"a":1}',
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('HOST_NOT_ALLOWED');
    }
    expect(v4.accepted()).toBe(0);
  });

  test('a host outside the API base URLs is refused, whatever the spelling', async () => {
    for (const url of [
      'http://example.com/steal',
      'https://127.0.0.1.example.com/',
      `http://127.0.0.1:${v4.port + 1}/`, // another port is another origin
      `https://127.0.0.1:${v4.port}/`, // another scheme too
      `//example.com/x`, // scheme-relative: a path under the base URL, not another host
      'ftp://example.com/file',
      'file:///etc/passwd',
    ]) {
      const r = await invoke(links.loopback!, url);
      const code = r.errors?.[0]?.extensions?.code;
      // A scheme-relative URL is a path on the service's own (loopback, so refused) host.
      expect(code).toBe('HOST_NOT_ALLOWED');
    }
    expect(v4.accepted()).toBe(0);
  });

  test('each refusal is audited and counted, without the key', async () => {
    const audit = await t.gql(
      '{ auditEvents(filter: {action: "connection.invoked"}, first: 100) { nodes { metadata } } }',
      {},
      { token },
    );
    const outcomes = audit.data!.auditEvents.nodes.map((n: any) => n.metadata.outcome);
    expect(outcomes.length).toBeGreaterThanOrEqual(refused.length);
    expect(new Set(outcomes)).toEqual(new Set(['HOST_NOT_ALLOWED']));
    const metrics = await t.metrics();
    expect(metrics).toMatch(
      /connections_invocations_total\{connection="everywhere",outcome="HOST_NOT_ALLOWED"\} \d+/,
    );
    expect(audit.raw + metrics).not.toContain(API_KEY);
  });
});
