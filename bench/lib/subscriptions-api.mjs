// The real server (apps/api/dist) on a fresh SQLite file, with one BASIC connection: every `connect` with new
// credentials publishes one REAUTHORIZED event. Prints {url, token, connectionId} first, then one line per
// event the moment it goes onto the bus: {published: <CLOCK_MONOTONIC ns>, attemptId, type}.
import fs from 'node:fs';
import { startBenchApi } from './start-api.mjs';

const { server, dataDir, gql, token, auth } = await startBenchApi({ prefix: 'cnx-bench-subs-' });
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
