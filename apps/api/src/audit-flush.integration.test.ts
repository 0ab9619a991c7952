import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess } from './test-support/server-process';
import { startUpstream, type Upstream } from './test-support/upstream';

jest.setTimeout(60_000);

// Issue 15: invocation audit rows are written behind, in batches; the ones still queued when the process is
// asked to stop (SIGTERM) are written before it exits. Runs the built server (npm test builds it first) as a
// real process (test-support/server-process.ts), with a flush interval longer than the test, so only the shutdown can have written them.
const PASSWORD = 'audit-flush-admin-password';

describe('invocation audit rows on shutdown', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-audit-flush-'));
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => void res.writeHead(200).end('{"ok":true}'));
  });
  afterAll(async () => {
    await upstream?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('SIGTERM writes the queued rows before the process exits', async () => {
    const { child, url } = await startProcess(dataDir, {
      LOG_LEVEL: 'warn',
      CONNECTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CONNECTIONS_ADMIN_PASSWORD: PASSWORD,
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
      CONNECTIONS_AUDIT_FLUSH_MS: '60000',
    });
    const gql = async (
      query: string,
      variables: Record<string, unknown>,
      headers: Record<string, string>,
    ) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const json = (await res.json()) as { data?: any; errors?: unknown };
      if (json.errors) throw new Error(JSON.stringify(json.errors));
      return { data: json.data, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '' };
    };
    const { cookie } = await gql(
      'mutation($i: SignInInput!) { signIn(input: $i) { role } }',
      { i: { email: 'admin@example.com', password: PASSWORD } },
      {},
    );
    const token = (await gql('mutation { createApiToken(input: {name: "t"}) { token } }', {}, { cookie }))
      .data.createApiToken.token as string;
    const auth = { authorization: `Bearer ${token}` };
    const slug = (
      await gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Flush',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${upstream.url}/`],
          },
        },
        auth,
      )
    ).data.createCustomService.slug;
    const link = (
      await gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName } } }',
        { i: { name: 'Flush', service: slug, credentials: { apiKey: 'k' } } },
        auth,
      )
    ).data.createAndConnect.connection.linkName as string;

    for (let i = 0; i < 25; i++)
      expect((await fetch(`${url}/proxy/${link}/items`, { headers: auth })).status).toBe(200);
    const db = new Database(path.join(dataDir, 'connections.sqlite'), { readonly: true });
    const invoked = () =>
      (
        db.prepare(`SELECT COUNT(*) AS n FROM "audit_event" WHERE "action" = 'connection.invoked'`).get() as {
          n: number;
        }
      ).n;
    try {
      // Queued, not written yet: the interval is a minute.
      expect(invoked()).toBe(0);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(invoked()).toBe(25);
    } finally {
      db.close();
    }
  });
});
