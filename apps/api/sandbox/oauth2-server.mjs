// The sandbox's OAuth 2.0 authorization server (oidc-provider), run by the API in a child process.
//
// Why a child process: oidc-provider is ESM-only and the API compiles to CommonJS. `await import()` would
// work under `node dist/main.js`, but Jest (@swc/jest -> CommonJS) turns it into require() and every API
// integration test would need oidc-provider and its ESM dependencies compiled by transformIgnorePatterns.
// A child process keeps the provider out of the API's module graph entirely, crashes cannot take the API
// down, and the provider's in-memory state dies with it.
//
// The API proxies PUBLIC_URL/sandbox/oauth/* here unchanged (Host and X-Forwarded-Proto kept), so the
// issuer and every URL the provider writes are public ones. Authorization code with PKCE, refresh tokens
// rotated on every use, RFC 7009 revocation, and a consent page that names the scopes.
//
// Input (env): SANDBOX_ISSUER, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REDIRECT_URI,
// SANDBOX_INTERNAL_SECRET (guards /_internal/*, which only the API calls, on loopback).
// Output: one line "READY <port>" on stdout.
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const issuer = process.env.SANDBOX_ISSUER;
const prefix = new URL(issuer).pathname.replace(/\/$/, '');
const internalSecret = Buffer.from(process.env.SANDBOX_INTERNAL_SECRET ?? '');
const SCOPES = ['openid', 'offline_access', 'contacts.read', 'contacts.write'];
const SCOPE_TEXT = {
  openid: 'Know who you are (your sandbox user id)',
  offline_access: 'Stay connected when you are away (a refresh token)',
  'contacts.read': 'Read your contacts',
  'contacts.write': 'Create and change your contacts',
};

/** Changed by the API's control endpoint: 0 means the default hour. */
let accessTokenTtlSeconds = 0;
const grantIds = new Set();

const html = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.SANDBOX_CLIENT_ID,
      client_secret: process.env.SANDBOX_CLIENT_SECRET,
      redirect_uris: [process.env.SANDBOX_REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [{ ...jwk, kid: 'sandbox', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('base64')] },
  features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  scopes: SCOPES,
  // Expired must mean expired: demonstrations set lifetimes of a few seconds.
  clockTolerance: 0,
  interactions: { url: (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
  claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@sandbox.invalid`, name: 'Sandbox User' }),
  }),
  ttl: {
    // One second more than asked: /_internal/verify decides expiry in whole seconds (see there).
    AccessToken: () => (accessTokenTtlSeconds ? accessTokenTtlSeconds + 1 : 3600),
    AuthorizationCode: 120,
    RefreshToken: 86400,
    Grant: 86400,
    Interaction: 600,
    Session: 3600,
    IdToken: 3600,
  },
});
provider.proxy = true;
provider.on('server_error', (_ctx, error) =>
  process.stderr.write(`sandbox oauth2 server_error: ${error.message}\n`),
);
const callback = provider.callback();

function consentPage(uid, params) {
  const scopes = String(params.scope ?? '')
    .split(' ')
    .filter(Boolean);
  const items = scopes.map((s) => `<li><code>${html(s)}</code>: ${html(SCOPE_TEXT[s] ?? s)}</li>`).join('');
  // The API serves the stylesheet at /sandbox/style.css (its Content-Security-Policy refuses inline styles).
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sandbox: authorize</title>
<link rel="stylesheet" href="../../style.css"></head><body><main>
<h1>Sandbox OAuth 2.0</h1>
<p>You are signed in as <strong>sandbox-user</strong>. The application <strong>${html(params.client_id)}</strong>
asks for:</p><ul id="scopes">${items || '<li>no scopes</li>'}</ul>
<form method="post" action="${prefix}/interaction/${html(uid)}/confirm" class="inline">
<button type="submit" name="approve">Approve</button></form>
<form method="post" action="${prefix}/interaction/${html(uid)}/deny" class="inline">
<button type="submit" name="deny">Deny</button></form></main></body></html>`;
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { params } = details;
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(consentPage(uid, params));
    return;
  }
  if (action === 'deny') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The sandbox user denied the request' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const accountId = 'sandbox-user';
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope ?? 'openid'));
  const grantId = await grant.save();
  grantIds.add(grantId);
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      try {
        resolve(raw ? JSON.parse(raw) : {});
      } catch (e) {
        reject(e);
      }
    });
  });
}

const json = (res, status, body) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

async function internal(req, res, url) {
  const given = Buffer.from(String(req.headers['x-sandbox-secret'] ?? ''));
  if (given.length !== internalSecret.length || !timingSafeEqual(given, internalSecret))
    return json(res, 403, {});
  if (url.pathname === '/_internal/verify') {
    const token = await provider.AccessToken.find(url.searchParams.get('token') ?? '', {
      ignoreExpiration: true,
    });
    const now = Math.floor(Date.now() / 1000);
    // A lifetime set after the token was issued applies to it too: "expire tokens after N seconds" is
    // seen at once in a demonstration, not an hour later. iat is in whole seconds, so "after N seconds"
    // means more than N whole seconds: a token lives N to N+1 s, never less (N=1 must not mean "at once").
    const expired =
      !token || (accessTokenTtlSeconds > 0 ? now > token.iat + accessTokenTtlSeconds : token.isExpired);
    const grant = token && !expired ? await provider.Grant.find(token.grantId) : undefined;
    if (!grant) return json(res, 200, { active: false });
    return json(res, 200, { active: true, sub: token.accountId, scope: token.scope ?? '' });
  }
  if (url.pathname === '/_internal/control' && req.method === 'POST') {
    const body = await readJson(req);
    if (typeof body.accessTokenTtlSeconds === 'number') accessTokenTtlSeconds = body.accessTokenTtlSeconds;
    let revoked = 0;
    if (body.revokeGrants) {
      for (const id of grantIds) {
        const grant = await provider.Grant.find(id);
        if (grant) {
          await grant.destroy();
          revoked += 1;
        }
      }
      grantIds.clear();
    }
    return json(res, 200, { accessTokenTtlSeconds, revokedGrants: revoked });
  }
  json(res, 404, {});
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://sandbox.invalid');
  const fail = (error) => {
    if (res.headersSent) return res.destroy();
    res.statusCode = 400;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(`Sandbox: ${error?.message ?? error}`);
  };
  if (url.pathname.startsWith('/_internal/')) return void internal(req, res, url).catch(fail);
  if (!url.pathname.startsWith(`${prefix}/`)) return json(res, 404, {});
  const rest = url.pathname.slice(prefix.length);
  const match = /^\/interaction\/([\w-]+)(?:\/(confirm|deny))?$/.exec(rest);
  if (match) return void interaction(req, res, match[1], match[2]).catch(fail);
  // oidc-provider reads its mount path from originalUrl minus url, as when mounted by Express.
  req.originalUrl = req.url;
  req.url = req.url.slice(prefix.length) || '/';
  callback(req, res);
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The API closing our stdin means it is gone: never outlive it.
process.stdin.on('end', stop);
process.stdin.resume();
