import { Browser } from '@connections/auth-flows/test-support/browser';
import {
  type ScriptedTokenEndpoint,
  startTokenEndpoint,
} from '@connections/auth-flows/test-support/token-endpoint';
import { AuthorizationAttemptRow } from '../db/entities';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(90_000);

const CLIENT_SECRET = 'exchange-guard-secret-93b2';

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

/**
 * grant's code exchange used to leave through its own node:http client, past the network guard: a service
 * whose token URL pointed at this machine received the workspace's client secret. A deployment without
 * CONNECTIONS_ALLOW_PRIVATE_NETWORKS sees it here: the authorize step (the browser's) works, the exchange
 * (the server's) is refused, and the listener on 127.0.0.1 receives nothing.
 */
describe.each(databases())('the code exchange goes through the network guard (%s)', (db) => {
  let t: TestServer;
  let endpoint: ScriptedTokenEndpoint;
  let token: string;

  beforeAll(async () => {
    t = await startTestServer(db);
    expect(t.server.services.config.invocation.allowPrivateNetworks).toBe(false);
    // Its /authorize sends the browser straight back with a code; its /token records every request.
    endpoint = await startTokenEndpoint();
    endpoint.respond = (_req, res) => void res.json({ access_token: 'stolen', token_type: 'Bearer' });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "guard"}) { token } }', {}, admin))
      .createApiToken.token;
  });
  afterAll(async () => {
    await endpoint?.close();
    await t?.close();
  });

  test.each([
    ['a name that resolves to loopback', 'localhost'],
    ['an IP literal', '127.0.0.1'],
  ])('a token URL on %s: refused at the exchange, the secret never reaches the listener', async (_, host) => {
    const port = new URL(endpoint.url).port;
    const slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: `Token on ${host}`,
            authType: 'OAUTH2',
            authorizeUrl: `${endpoint.url}/authorize`,
            accessTokenUrl: `http://${host}:${port}/token`,
            profileUrl: `http://${host}:${port}/me`,
            clientId: 'guarded',
            clientSecret: CLIENT_SECRET,
            apiBaseUrls: ['https://api.example.com/'],
          },
        },
        { token },
      ),
    ).createCustomService.slug;
    const started = ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { attemptId authorizeUrl } }',
        { i: { name: `Exchange ${host}`, service: slug } },
        { token },
      ),
    ).createAndConnect;
    endpoint.seen.length = 0;

    const page = await new Browser().follow(started.authorizeUrl);
    expect(page.text).toContain('Authorization failed');
    expect(page.text).toMatch(/not reachable from here|resolves to a refused address/);
    expect(page.text).not.toContain(CLIENT_SECRET);
    expect(endpoint.seen).toEqual([]);
    const attempt = await t.server.ds
      .getRepository(AuthorizationAttemptRow)
      .findOneByOrFail({ id: started.attemptId });
    expect(attempt.outcome).toBe('FAILED');
    const events = ok(await t.gql('{ auditEvents(first: 5) { nodes { action message } } }', {}, { token }))
      .auditEvents.nodes as { action: string; message: string }[];
    expect(JSON.stringify(events)).not.toContain(CLIENT_SECRET);
  });

  test.each(['localhost', '2130706433', '0x7f000001'])(
    'a catalog subdomain cannot name this machine: %s',
    async (subdomain) => {
      const r = await t.gql(
        'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
        { i: { name: `Zendesk ${subdomain}`, service: 'zendesk', subdomain } },
        { token },
      );
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(r.errors)).toContain('subdomain');
    },
  );
});
