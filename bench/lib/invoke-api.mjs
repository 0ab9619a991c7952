// The real server (built, NODE_ENV=production, private networks allowed so it may reach the loopback
// upstream) on a fresh SQLite file, with an API token and an API_KEY connection to the upstream given as
// the first argument. Prints {url, token, link}.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const [upstreamUrl, apiKey] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const api = path.resolve(import.meta.dirname, '../../apps/api/dist');
const { loadConfig } = require(`${api}/config.js`);
const { startServer } = require(`${api}/server.js`);
const { createLogger } = require(`${api}/logger.js`);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-bench-invoke-'));
const server = await startServer(
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    CONNECTIONS_DATA_DIR: dataDir,
    CONNECTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CONNECTIONS_ADMIN_PASSWORD: 'bench-admin-password',
    CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
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
console.log(JSON.stringify({ url: server.url, token, link }));
// On 'exit' as well: whatever ends the process (another SIGTERM listener may exit first), no data is left.
process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
process.on('SIGTERM', () => void server.close().finally(() => process.exit(0)));
