// The real server (apps/api/dist) on a fresh SQLite file, with one BASIC connection: every `connect` with new
// credentials publishes one REAUTHORIZED event. Prints {url, token, connectionId} first, then one line per
// event the moment it goes onto the bus: {published: <CLOCK_MONOTONIC ns>, attemptId, type}.
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

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-subs-'));
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
  const json = await res.json();
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return { json, cookie: res.headers.get('set-cookie')?.split(';')[0] };
};
const { cookie } = await gql(
  'mutation { signIn(input: {email: "admin@example.com", password: "bench-admin-password"}) { role } }',
);
const token = (await gql('mutation { createApiToken(input: {name: "bench"}) { token } }', {}, { cookie }))
  .json.data.createApiToken.token;
const auth = { authorization: `Bearer ${token}` };
const slug = (
  await gql(
    'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
    { i: { name: 'Bench ledger', authType: 'BASIC', apiBaseUrls: ['https://ledger.example.test/'] } },
    auth,
  )
).json.data.createCustomService.slug;
const connectionId = (
  await gql(
    'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id } } }',
    { i: { name: 'Bench ledger', service: slug, credentials: { username: 'bench', password: 'first' } } },
    auth,
  )
).json.data.createAndConnect.connection.id;

// The publish instant, taken where the API hands the committed event to the bus: everything after it is
// fan-out (pub/sub, per-subscriber filtering and execution, graphql-ws framing, the sockets).
const bus = server.services.bus;
const publish = bus.publish.bind(bus);
bus.publish = (topic, payload) => {
  const published = process.hrtime.bigint();
  publish(topic, payload);
  process.stdout.write(
    JSON.stringify({ published: String(published), attemptId: payload.attemptId, type: payload.type }) + '\n',
  );
};

console.log(JSON.stringify({ url: server.url, token, connectionId }));
process.on('SIGTERM', async () => {
  await server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
