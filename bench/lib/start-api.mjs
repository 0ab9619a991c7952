// Starts the built API (apps/api/dist) in this process on a fresh SQLite file, as production would run it,
// signs the first admin in and makes an API token: what every benchmark's server child needs first.
// `env` overrides the configuration (e.g. DATABASE_URL and REDIS_URL for a replica); `account: false` skips
// the sign-in and the token, for a further replica that serves the data another one created.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const api = path.resolve(import.meta.dirname, '../../apps/api/dist');

export async function startBenchApi({ prefix, env = {}, account = true }) {
  const { loadConfig } = require(`${api}/config.js`);
  const { startServer } = require(`${api}/server.js`);
  const { createLogger } = require(`${api}/logger.js`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const server = await startServer(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      CONNECTIONS_DATA_DIR: dataDir,
      CONNECTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CONNECTIONS_ADMIN_PASSWORD: 'bench-admin-password',
      ...env,
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
  if (!account) return { server, dataDir, gql };
  const { cookie } = await gql(
    'mutation { signIn(input: {email: "admin@example.com", password: "bench-admin-password"}) { role } }',
  );
  const token = (await gql('mutation { createApiToken(input: {name: "bench"}) { token } }', {}, { cookie }))
    .json.data.createApiToken.token;
  return { server, dataDir, gql, token, auth: { authorization: `Bearer ${token}` }, cookie };
}

/**
 * Starts one OAuth 2.0 authorization as far as the provider's redirect (the console's Create and Connect:
 * grant's connect step runs in this process), so that the calls a benchmark makes next run in a process like
 * a production one, which has run such flows: a flow must leave nothing behind that slows later calls. The
 * provider at `providerUrl` is never contacted. `api` is what startBenchApi returned.
 */
export async function startOAuthFlow(api, providerUrl) {
  const { slug } = (
    await api.gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
      {
        i: {
          name: 'Bench OAuth provider',
          authType: 'OAUTH2',
          authorizeUrl: `${providerUrl}/authorize`,
          accessTokenUrl: `${providerUrl}/token`,
          apiBaseUrls: [`${providerUrl}/`],
          clientId: 'bench-client',
          clientSecret: 'bench-secret',
        },
      },
      api.auth,
    )
  ).json.data.createCustomService;
  const { authorizeUrl } = (
    await api.gql(
      'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl } }',
      { i: { name: 'Bench OAuth', service: slug } },
      api.auth,
    )
  ).json.data.createAndConnect;
  const res = await fetch(authorizeUrl, { headers: { cookie: api.cookie }, redirect: 'manual' });
  const location = res.headers.get('location') ?? '';
  if (res.status !== 302 || !location.startsWith(`${providerUrl}/authorize?`))
    throw new Error(`the OAuth flow did not reach the provider: ${res.status} ${location}`);
}
