// The real server (apps/api/dist), one process of the deployment under test. Argument: `primary` (default) or
// `replica`. The database and fan-out come from this process's environment (DATABASE_URL, DATABASE_SCHEMA,
// REDIS_URL, CONNECTIONS_REDIS_PREFIX, CONNECTIONS_ENCRYPTION_KEY, GRAPHQL_WS_*); without DATABASE_URL, a fresh
// SQLite file.
// - primary: signs the first admin in, makes an API token and one BASIC connection: every `connect` with new
//   credentials publishes one REAUTHORIZED event. Prints {url, token, connectionId}.
// - replica: a further replica of the same deployment (same database, Redis and key): it only serves what
//   the primary created, with the primary's token. Prints {url}.
// Then one line per event the moment this process hands it to its bus:
// {published: <CLOCK_MONOTONIC ns>, attemptId, type}.
import fs from 'node:fs';
import { startBenchApi } from './start-api.mjs';

const role = process.argv[2] ?? 'primary';
if (!['primary', 'replica'].includes(role)) throw new Error(`unknown role ${role}`);
const passed = [
  'DATABASE_URL',
  'DATABASE_SCHEMA',
  'REDIS_URL',
  'CONNECTIONS_REDIS_PREFIX',
  'CONNECTIONS_ENCRYPTION_KEY',
];
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k, v]) => v && (passed.includes(k) || k.startsWith('GRAPHQL_WS_'))),
);
const started = await startBenchApi({ prefix: 'cnx-bench-subs-', env, account: role === 'primary' });
const { server, dataDir } = started;

let info = { url: server.url };
if (role === 'primary') {
  const { gql, token, auth } = started;
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
  info = { url: server.url, token, connectionId };
}

// The publish instant, taken where the API hands the committed event to the bus: everything after it is
// fan-out (pub/sub, Redis and back when REDIS_URL is set, per-subscriber filtering and execution, graphql-ws
// framing, the sockets).
const bus = server.services.bus;
const publish = bus.publish.bind(bus);
bus.publish = (topic, payload) => {
  const published = process.hrtime.bigint();
  publish(topic, payload);
  process.stdout.write(
    JSON.stringify({ published: String(published), attemptId: payload.attemptId, type: payload.type }) + '\n',
  );
};
// After the set-up above, whose own events are not part of any round: the first line printed is the info.
console.log(JSON.stringify(info));

// Apollo stops itself on SIGTERM too (outside NODE_ENV=test), and with its handler racing this one,
// server.close() never resolved: the child sat until the bench's SIGKILL and left its data directory behind.
// This process owns the signal.
process.removeAllListeners('SIGTERM');
process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});
