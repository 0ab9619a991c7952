// The real server on a fresh SQLite file with 100 connections (some authorized); prints {url, token, dbFile}.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const api = path.resolve(import.meta.dirname, '../../apps/api/dist');
const { loadConfig } = require(`${api}/config.js`);
const { startServer } = require(`${api}/server.js`);
const { createLogger } = require(`${api}/logger.js`);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-'));
const server = await startServer(
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    CONNECTIONS_DATA_DIR: dataDir,
    CONNECTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CONNECTIONS_ADMIN_PASSWORD: 'bench-admin-password',
  }),
  { logger: createLogger('silent') },
);
const gql = async (query, variables, headers = {}) => {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { json: await res.json(), cookie: res.headers.get('set-cookie')?.split(';')[0] };
};
const { cookie } = await gql(
  'mutation { signIn(input: {email: "admin@example.com", password: "bench-admin-password"}) { role } }',
);
const token = (await gql('mutation { createApiToken(input: {name: "bench"}) { token } }', {}, { cookie }))
  .json.data.createApiToken.token;
const auth = { authorization: `Bearer ${token}` };
const slugs = ['github', 'slack', 'google', 'notion', 'dropbox'];
for (let i = 0; i < 100; i++) {
  const r = await gql(
    'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
    {
      i: { name: `Connection ${i}`, service: slugs[i % slugs.length], useLoginUserCredentials: i % 3 === 0 },
    },
    auth,
  );
  if (r.json.errors) throw new Error(JSON.stringify(r.json.errors));
}
// A third of them authorized, so the status lookup has rows to find.
const ds = server.ds;
const viewer = await ds.query(`SELECT "userId", "workspaceId" FROM "membership" LIMIT 1`);
const rows = await ds.query(`SELECT "id" FROM "connection"`);
for (const [n, row] of rows.entries()) {
  if (n % 3 !== 0) continue;
  await ds.query(
    `INSERT INTO "authorization" ("id","workspaceId","connectionId","principalId","status","grantedScopes") VALUES (?,?,?,?,?,?)`,
    [crypto.randomUUID(), viewer[0].workspaceId, row.id, viewer[0].userId, 'CONNECTED', '[]'],
  );
}
console.log(
  JSON.stringify({
    url: server.url,
    token,
    dbFile: path.join(dataDir, 'connections.sqlite'),
    userId: viewer[0].userId,
  }),
);
process.on('SIGTERM', async () => {
  await server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
