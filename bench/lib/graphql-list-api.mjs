// The real server on a fresh SQLite file with 100 connections (some authorized); prints {url, token, dbFile}.
import fs from 'node:fs';
import path from 'node:path';
import { startBenchApi } from './start-api.mjs';

const { server, dataDir, gql, token, auth } = await startBenchApi({ prefix: 'cnx-bench-' });
const slugs = ['github', 'slack', 'google', 'notion', 'dropbox'];
for (let i = 0; i < 100; i++) {
  await gql(
    'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
    {
      i: { name: `Connection ${i}`, service: slugs[i % slugs.length], useLoginUserCredentials: i % 3 === 0 },
    },
    auth,
  );
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
