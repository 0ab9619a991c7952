/**
 * The sandbox's OAuth 1.0a provider (RFC 5849): temporary credentials, an authorize page with approve and
 * deny, token credentials, and signature checks for the contacts API. HMAC-SHA1 and PLAINTEXT only.
 * No maintained OAuth 1.0a server exists on npm; this is small enough to own.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { escapeHtml } from './html';
import { oauth1Params, signatureCheck, type VerifySignature } from './oauth1-signature';

export interface OAuth1Sandbox {
  router: Router;
  /** The user behind a signed request, or a reason it was refused. */
  verifyResource(req: Request, rawBody: string): { user: string } | { problem: string };
  revokeAll(): number;
}

/** Temporary credentials (until exchanged or denied) and token credentials (until revoked), in memory. */
interface OAuth1Tokens {
  requestTokens: Map<string, { secret: string; callback: string; verifier?: string }>;
  accessTokens: Map<string, { secret: string; user: string }>;
}

const refuse = (res: Response, problem: string) =>
  res.status(401).type('application/x-www-form-urlencoded').send(`oauth_problem=${problem}`);
const body = (req: Request) => (typeof req.body === 'string' ? req.body : '');

/** POST /request_token: temporary credentials (RFC 5849 2.1). */
function requestToken(tokens: OAuth1Tokens, verify: VerifySignature) {
  return (req: Request, res: Response) => {
    const oauth = verify(req, body(req), '');
    if (typeof oauth === 'string') return void refuse(res, oauth);
    const token = randomBytes(12).toString('hex');
    const secret = randomBytes(12).toString('hex');
    tokens.requestTokens.set(token, { secret, callback: oauth.oauth_callback ?? 'oob' });
    res
      .type('application/x-www-form-urlencoded')
      .send(`oauth_token=${token}&oauth_token_secret=${secret}&oauth_callback_confirmed=true`);
  };
}

/** GET /authorize: the page where the sandbox user approves or denies (RFC 5849 2.2). */
function authorizePage(tokens: OAuth1Tokens, consumerKey: string) {
  return (req: Request, res: Response) => {
    const token = String(req.query.oauth_token ?? '');
    if (!tokens.requestTokens.has(token))
      return void res.status(400).type('text/plain').send('Unknown request token.');
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sandbox: authorize</title>
<link rel="stylesheet" href="../style.css"></head><body><main>
<h1>Sandbox OAuth 1.0a</h1><p>You are signed in as <strong>sandbox-user</strong>.
<strong>${escapeHtml(consumerKey)}</strong> asks to read and change your contacts.</p>
<form method="post" action="authorize"><input type="hidden" name="oauth_token" value="${escapeHtml(token)}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></form></main></body></html>`);
  };
}

/** POST /authorize: the user's decision, sent back to the callback with a verifier or `denied`. */
function authorizeDecision(tokens: OAuth1Tokens) {
  return (req: Request, res: Response) => {
    const token = String(req.body?.oauth_token ?? '');
    const entry = tokens.requestTokens.get(token);
    if (!entry) return void res.status(400).type('text/plain').send('Unknown request token.');
    const target = new URL(entry.callback);
    if (req.body?.decision !== 'approve') {
      tokens.requestTokens.delete(token);
      target.searchParams.set('denied', token);
    } else {
      entry.verifier = randomBytes(8).toString('hex');
      target.searchParams.set('oauth_token', token);
      target.searchParams.set('oauth_verifier', entry.verifier);
    }
    res.redirect(target.toString());
  };
}

/** POST /access_token: token credentials for approved temporary ones (RFC 5849 2.3). */
function accessToken(tokens: OAuth1Tokens, verify: VerifySignature) {
  return (req: Request, res: Response) => {
    const all = oauth1Params(req, body(req));
    const token = all.find(([k]) => k === 'oauth_token')?.[1] ?? '';
    const entry = tokens.requestTokens.get(token);
    if (!entry) return void refuse(res, 'token_rejected');
    const oauth = verify(req, body(req), entry.secret);
    if (typeof oauth === 'string') return void refuse(res, oauth);
    if (!entry.verifier || oauth.oauth_verifier !== entry.verifier)
      return void refuse(res, 'verifier_invalid');
    tokens.requestTokens.delete(token);
    const access = randomBytes(16).toString('hex');
    const secret = randomBytes(16).toString('hex');
    tokens.accessTokens.set(access, { secret, user: 'sandbox-user' });
    res
      .type('application/x-www-form-urlencoded')
      .send(`oauth_token=${access}&oauth_token_secret=${secret}&user_id=sandbox-user&screen_name=sandbox`);
  };
}

export function createOAuth1Sandbox(consumerKey: string, consumerSecret: string): OAuth1Sandbox {
  const tokens: OAuth1Tokens = { requestTokens: new Map(), accessTokens: new Map() };
  const verify = signatureCheck(consumerKey, consumerSecret);

  const router = express.Router();
  const text = express.text({ type: '*/*' });
  router.post('/request_token', text, requestToken(tokens, verify));
  router.get('/authorize', authorizePage(tokens, consumerKey));
  router.post('/authorize', express.urlencoded({ extended: false }), authorizeDecision(tokens));
  router.post('/access_token', text, accessToken(tokens, verify));

  return {
    router,
    verifyResource(req, rawBody) {
      const token = oauth1Params(req, rawBody).find(([k]) => k === 'oauth_token')?.[1] ?? '';
      const entry = tokens.accessTokens.get(token);
      if (!entry) return { problem: 'token_rejected' };
      const oauth = verify(req, rawBody, entry.secret);
      return typeof oauth === 'string' ? { problem: oauth } : { user: entry.user };
    },
    revokeAll() {
      const n = tokens.accessTokens.size;
      tokens.accessTokens.clear();
      return n;
    },
  };
}
