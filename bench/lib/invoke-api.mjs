// The real server (built, NODE_ENV=production, private networks allowed so it may reach the loopback
// upstream) on a fresh SQLite file, with an API token and an API_KEY connection to the upstream given as
// the first argument, once it has started an OAuth 2.0 authorization as production processes have
// (startOAuthFlow). Prints {url, token, link, heapUrl} (heap-probe.mjs).
import fs from 'node:fs';
import { startHeapProbe } from './heap-probe.mjs';
import { startBenchApi, startOAuthFlow } from './start-api.mjs';

const [upstreamUrl, apiKey] = process.argv.slice(2);
const bench = await startBenchApi({
  prefix: 'cnx-bench-invoke-',
  env: { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' },
});
const { server, dataDir, gql, token, auth } = bench;
await startOAuthFlow(bench, upstreamUrl);
const slug = (
  await gql(
    'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
    {
      i: {
        name: 'Bench upstream',
        authType: 'API_KEY',
        paramType: 'HEADERS',
        apiKeyParamName: 'X-Api-Key',
        apiBaseUrls: [`${upstreamUrl}/`],
      },
    },
    auth,
  )
).json.data.createCustomService.slug;
const link = (
  await gql(
    'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { linkName status } } }',
    { i: { name: 'Bench', service: slug, credentials: { apiKey } } },
    auth,
  )
).json.data.createAndConnect.connection.linkName;
console.log(JSON.stringify({ url: server.url, token, link, heapUrl: await startHeapProbe() }));
// On 'exit' as well: whatever ends the process (another SIGTERM listener may exit first), no data is left.
process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
process.on('SIGTERM', () => void server.close().finally(() => process.exit(0)));
