// A real OAuth 2.0 / OpenID Connect authorization server for tests, run as a child process because
// oidc-provider is ESM-only and Jest's module registry cannot load it. PKCE is required for every
// client, refresh tokens are issued (offline_access + prompt=consent) and rotated on every use. A client
// whose grant_types list client_credentials gets tokens from that grant (OIDC_TEST_ACCESS_TOKEN_TTL long).
//
// Input: OIDC_TEST_CLIENTS (JSON array of client metadata); optional OIDC_TEST_CODE_ACCESS_TOKEN_TTL
// (seconds): access tokens issued by the authorization code grant live this long, so a test can hold one
// that is already expired at the provider, while refreshed ones keep the hour (a refresh margin longer
// than the lifetime would otherwise ask for a refresh on every use); optional OIDC_TEST_ACCESS_TOKEN_TTL
// (seconds, default 3600): every other access token's lifetime. Output: one line "READY <port>".
// /interaction/:uid approves at once, or refuses when the authorization request has login_hint=deny.
// /_test/stats reports how many token requests arrived, by grant type, and how many authorization requests
// came with a PKCE challenge and without. OIDC_TEST_PKCE_REQUIRED=false makes PKCE optional (RFC 7636 is
// then the client's choice), for a client that turns it off.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.OIDC_TEST_CLIENTS ?? '[]');
const codeAccessTokenTtl = Number(process.env.OIDC_TEST_CODE_ACCESS_TOKEN_TTL ?? 0);
const accessTokenTtl = Number(process.env.OIDC_TEST_ACCESS_TOKEN_TTL ?? 3600);
const pkceRequired = process.env.OIDC_TEST_PKCE_REQUIRED !== 'false';
const stats = { token: 0, byGrantType: {}, authorize: { withPkce: 0, withoutPkce: 0 } };

let provider;
let callback;
const server = createServer((req, res) => {
  if (req.url === '/_test/stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(stats));
    return;
  }
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error?.message ?? error));
    });
    return;
  }
  callback(req, res);
});

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { params } = details;
  if (params.login_hint === 'deny') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User refused the request' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const accountId = 'user-42';
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  provider = new Provider(issuer, {
    clients,
    jwks: { keys: [{ ...jwk, kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['connections-test-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      // RFC 6749 section 4.4, for clients whose grant_types list client_credentials.
      clientCredentials: { enabled: true },
      // RFC 7662: lets a test's API check the tokens it is handed (client credentials tokens have no userinfo).
      introspection: { enabled: true },
    },
    // Scopes beyond OIDC's, for the client credentials grant (a client's `scope` metadata limits them).
    scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
    pkce: { required: () => pkceRequired },
    rotateRefreshToken: true,
    // With short-lived tokens, expired must mean expired: the default tolerance would accept them 15 s more.
    ...(codeAccessTokenTtl > 0 ? { clockTolerance: 0 } : {}),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.test`, name: 'Ada Lovelace' }),
    }),
    ttl: {
      AccessToken: (ctx) =>
        codeAccessTokenTtl > 0 && ctx?.oidc?.params?.grant_type === 'authorization_code'
          ? codeAccessTokenTtl
          : accessTokenTtl,
      ClientCredentials: accessTokenTtl,
      AuthorizationCode: 120,
      RefreshToken: 86400,
      Grant: 86400,
      Interaction: 600,
      Session: 3600,
      IdToken: 3600,
    },
  });
  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth' && ctx.method === 'GET')
      stats.authorize[ctx.query.code_challenge ? 'withPkce' : 'withoutPkce'] += 1;
    await next();
    if (ctx.path === '/token' && ctx.method === 'POST') {
      stats.token += 1;
      const type = ctx.oidc?.params?.grant_type ?? 'unknown';
      stats.byGrantType[type] = (stats.byGrantType[type] ?? 0) + 1;
    }
  });
  // oidc-provider logs every rejected request through this event; the tests provoke many on purpose.
  provider.on('server_error', (_ctx, error) => process.stderr.write(`oidc server_error: ${error.message}\n`));
  callback = provider.callback();
  process.stdout.write(`READY ${port}\n`);
});

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent closing our stdin means it is gone: never outlive a test run.
process.stdin.on('end', stop);
process.stdin.resume();
