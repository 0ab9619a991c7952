import type { OAuth2Credentials } from '@connections/auth-flows';
import net, { type AddressInfo } from 'node:net';
import { parseKey, SecretBox } from '../crypto/secret-box';
import { AuthorizationRow } from '../db/entities';
import { openCredentials, sealCredentials } from '../domain/credentials-store';
import { FormBrowser } from '../test-support/form-browser';
import { type GqlResult, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(120_000);

// PUBLIC_URL on an IP address (http://127.0.0.1:PORT): the sandbox is this server, on a loopback address the
// policy refuses to every other origin. Its own origin must still be let through for every request that starts
// from a service definition: invocations, token requests (code exchange, refresh) and revocation.

const CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { authorizeUrl connection { id linkName status } }
}`;
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('sandbox with PUBLIC_URL on an IP address', () => {
  let t: TestServer;
  let token: string;
  let box: SecretBox;

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const invoke = async (link: string) =>
    ok(await t.gql(INVOKE, { i: { connection: link, url: 'contacts' } }, { token })).invokeUrl as {
      status: number;
      body: string;
    };

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestServer('sqlite', {
      CONNECTIONS_SANDBOX: 'true',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "ip"}) { token } }', {}, admin))
      .createApiToken.token;
    box = new SecretBox(parseKey(t.env.CONNECTIONS_ENCRYPTION_KEY!, 'key'));
  });
  afterAll(async () => {
    await t?.close();
  });

  test('API key: calls reach the sandbox contacts API', async () => {
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const key = ok(
      await t.gql(
        CONNECT,
        { i: { name: 'Key', service: 'sandbox-api-key', credentials: { apiKey: 'sandbox-api-key' } } },
        { token },
      ),
    ).createAndConnect;
    expect(key.connection.status).toBe('CONNECTED');
    const res = await invoke(key.connection.linkName);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).authenticatedWith).toBe('API_KEY');
  });

  test('OAuth 2.0: connect, call, refresh an expired token, revoke', async () => {
    const admin = await t.adminAuth();
    const r = ok(
      await t.gql(CONNECT, { i: { name: 'OAuth', service: 'sandbox-oauth2' } }, admin),
    ).createAndConnect;
    const browser = new FormBrowser().withCookie(t.url, admin.cookie!);
    const consent = await browser.follow(await browser.send(r.authorizeUrl));
    expect((await browser.submit(consent, 'approve')).text).toContain('Connected');
    const { id, linkName } = r.connection;
    expect((await invoke(linkName)).status).toBe(200);

    // As if its hour had passed: the next call refreshes it at the sandbox's token endpoint first.
    const repo = t.server.ds.getRepository(AuthorizationRow);
    const row = await repo.findOneByOrFail({ connectionId: id });
    const stored = openCredentials(box, row) as OAuth2Credentials;
    const expired = { ...stored, issuedAt: Date.now() - 7_200_000, expiresAt: Date.now() - 60_000 };
    await repo.update({ id: row.id }, { credentialsEncrypted: sealCredentials(box, row.id, expired) });
    t.server.services.invalidator.invalidate('connection', id);
    expect((await invoke(linkName)).status).toBe(200);
    const renewed = openCredentials(box, await repo.findOneByOrFail({ id: row.id })) as OAuth2Credentials;
    expect(renewed.accessToken).not.toBe(stored.accessToken);

    const revoked = await t.gql(
      'mutation($id: ID!) { revokeAuthorization(connectionId: $id) { status } }',
      { id },
      { token },
    );
    expect(revoked.errors).toBeUndefined();
  });
});
