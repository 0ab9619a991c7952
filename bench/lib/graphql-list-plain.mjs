// The baseline: graphql-js `graphql()` behind node:http over the same SQLite rows, one joined query per
// request, no framework, no authentication, no limits. Prints {url}.
import Database from 'better-sqlite3';
import { buildSchema, graphql } from 'graphql';
import http from 'node:http';

const [dbFile, userId] = process.argv.slice(2);
const db = new Database(dbFile, { readonly: true });
const select = db.prepare(`
  SELECT c.id, c.name, c.linkName, s.slug AS serviceSlug, s.kind AS serviceKind, o.email AS ownerEmail,
         COALESCE(a.status, 'NOT_CONNECTED') AS status
  FROM "connection" c
  JOIN "service" s ON s.id = c.serviceId
  JOIN "user" o ON o.id = c.ownerId
  LEFT JOIN "authorization" a ON a.connectionId = c.id
    AND a.principalId = CASE WHEN c.useLoginUserCredentials THEN ? ELSE c.ownerId END
  ORDER BY c.createdAt DESC, c.id DESC LIMIT ?`);

const schema = buildSchema(`
  type Service { name: String! authType: String! }
  type User { email: String! }
  type Connection { id: ID! name: String! linkName: String! status: String! service: Service! owner: User! }
  type ConnectionPage { nodes: [Connection!]! }
  type Query { connections(first: Int = 20): ConnectionPage! }
`);
const root = {
  connections: ({ first }) => ({
    nodes: select.all(userId, first).map((r) => ({
      id: r.id,
      name: r.name,
      linkName: r.linkName,
      status: r.status,
      service: { name: r.serviceSlug, authType: 'OAUTH2' },
      owner: { email: r.ownerEmail },
    })),
  }),
};

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', async () => {
    const { query, variables } = JSON.parse(body);
    const result = await graphql({ schema, source: query, rootValue: root, variableValues: variables });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  });
});
server.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })),
);
