/**
 * The sandbox's OAuth 1.0a provider (RFC 5849): temporary credentials, an authorize page with approve and
 * deny, token credentials, and signature checks for the contacts API. HMAC-SHA1 and PLAINTEXT only.
 * No maintained OAuth 1.0a server exists on npm; this is small enough to own.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { escapeHtml } from './html';

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

function pairs(raw: string): [string, string][] {
  return raw
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf('=');
      return at < 0 ? [dec(part), ''] : [dec(part.slice(0, at)), dec(part.slice(at + 1))];
    });
}

function headerPairs(header: string | undefined): [string, string][] {
  if (!header || !/^OAuth\s/i.test(header)) return [];
  return [...header.slice(6).matchAll(/([A-Za-z0-9_%.-]+)="([^"]*)"/g)]
    .filter((m) => m[1] !== 'realm')
    .map((m) => [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)]);
}

/** Every parameter of a request (query, form body, Authorization header), as RFC 5849 3.4.1.3 collects them. */
export function oauth1Params(req: Request, rawBody: string): [string, string][] {
  const url = req.originalUrl;
  const query = url.includes('?') ? pairs(url.slice(url.indexOf('?') + 1)) : [];
  const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  return [...query, ...(isForm ? pairs(rawBody) : []), ...headerPairs(req.headers.authorization)];
}

function baseString(req: Request, params: [string, string][]): string {
  // The Host header carries the port the client connected to; a non-default one is part of the base URI.
  const host = String(req.headers.host).toLowerCase();
  const path = req.originalUrl.split('?')[0]!;
  const normalized = params
    .filter(([k]) => k !== 'oauth_signature')
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${req.method.toUpperCase()}&${enc(`${req.protocol}://${host}${path}`)}&${enc(normalized)}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface OAuth1Sandbox {
  router: Router;
  /** The user behind a signed request, or a reason it was refused. */
  verifyResource(req: Request, rawBody: string): { user: string } | { problem: string };
  revokeAll(): number;
}

export function createOAuth1Sandbox(consumerKey: string, consumerSecret: string): OAuth1Sandbox {
  const requestTokens = new Map<string, { secret: string; callback: string; verifier?: string }>();
  const accessTokens = new Map<string, { secret: string; user: string }>();
  const nonces = new Set<string>();

  function verify(req: Request, rawBody: string, tokenSecret: string): Record<string, string> | string {
    const all = oauth1Params(req, rawBody);
    const oauth: Record<string, string> = {};
    for (const [k, v] of all) if (k.startsWith('oauth_')) oauth[k] = v;
    if (oauth.oauth_consumer_key !== consumerKey) return 'consumer_key_unknown';
    const method = oauth.oauth_signature_method ?? '';
    const key = `${enc(consumerSecret)}&${enc(tokenSecret)}`;
    if (method === 'PLAINTEXT') return same(oauth.oauth_signature ?? '', key) ? oauth : 'signature_invalid';
    if (method !== 'HMAC-SHA1') return 'signature_method_rejected';
    if (!oauth.oauth_nonce || !oauth.oauth_timestamp) return 'parameter_absent';
    if (Math.abs(Date.now() / 1000 - Number(oauth.oauth_timestamp)) > 600) return 'timestamp_refused';
    const nonceKey = `${oauth.oauth_timestamp}:${oauth.oauth_nonce}`;
    if (nonces.has(nonceKey)) return 'nonce_used';
    const expected = createHmac('sha1', key).update(baseString(req, all)).digest('base64');
    if (!same(oauth.oauth_signature ?? '', expected)) return 'signature_invalid';
    nonces.add(nonceKey);
    return oauth;
  }

  const router = express.Router();
  const text = express.text({ type: '*/*' });
  const refuse = (res: Response, problem: string) =>
    res.status(401).type('application/x-www-form-urlencoded').send(`oauth_problem=${problem}`);
  const body = (req: Request) => (typeof req.body === 'string' ? req.body : '');

  router.post('/request_token', text, (req, res) => {
    const oauth = verify(req, body(req), '');
    if (typeof oauth === 'string') return void refuse(res, oauth);
    const token = randomBytes(12).toString('hex');
    const secret = randomBytes(12).toString('hex');
    requestTokens.set(token, { secret, callback: oauth.oauth_callback ?? 'oob' });
    res
      .type('application/x-www-form-urlencoded')
      .send(`oauth_token=${token}&oauth_token_secret=${secret}&oauth_callback_confirmed=true`);
  });

  router.get('/authorize', (req, res) => {
    const token = String(req.query.oauth_token ?? '');
    if (!requestTokens.has(token))
      return void res.status(400).type('text/plain').send('Unknown request token.');
    res.type('html').send(`<!doctype html><html><head><meta charset="utf-8"><title>Sandbox: authorize</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}</style></head><body>
<h1>Sandbox OAuth 1.0a</h1><p>You are signed in as <strong>sandbox-user</strong>.
<strong>${escapeHtml(consumerKey)}</strong> asks to read and change your contacts.</p>
<form method="post" action="authorize"><input type="hidden" name="oauth_token" value="${escapeHtml(token)}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></form></body></html>`);
  });

  router.post('/authorize', express.urlencoded({ extended: false }), (req, res) => {
    const token = String(req.body?.oauth_token ?? '');
    const entry = requestTokens.get(token);
    if (!entry) return void res.status(400).type('text/plain').send('Unknown request token.');
    const target = new URL(entry.callback);
    if (req.body?.decision !== 'approve') {
      requestTokens.delete(token);
      target.searchParams.set('denied', token);
    } else {
      entry.verifier = randomBytes(8).toString('hex');
      target.searchParams.set('oauth_token', token);
      target.searchParams.set('oauth_verifier', entry.verifier);
    }
    res.redirect(target.toString());
  });

  router.post('/access_token', text, (req, res) => {
    const all = oauth1Params(req, body(req));
    const token = all.find(([k]) => k === 'oauth_token')?.[1] ?? '';
    const entry = requestTokens.get(token);
    if (!entry) return void refuse(res, 'token_rejected');
    const oauth = verify(req, body(req), entry.secret);
    if (typeof oauth === 'string') return void refuse(res, oauth);
    if (!entry.verifier || oauth.oauth_verifier !== entry.verifier)
      return void refuse(res, 'verifier_invalid');
    requestTokens.delete(token);
    const access = randomBytes(16).toString('hex');
    const secret = randomBytes(16).toString('hex');
    accessTokens.set(access, { secret, user: 'sandbox-user' });
    res
      .type('application/x-www-form-urlencoded')
      .send(`oauth_token=${access}&oauth_token_secret=${secret}&user_id=sandbox-user&screen_name=sandbox`);
  });

  return {
    router,
    verifyResource(req, rawBody) {
      const token = oauth1Params(req, rawBody).find(([k]) => k === 'oauth_token')?.[1] ?? '';
      const entry = accessTokens.get(token);
      if (!entry) return { problem: 'token_rejected' };
      const oauth = verify(req, rawBody, entry.secret);
      return typeof oauth === 'string' ? { problem: oauth } : { user: entry.user };
    },
    revokeAll() {
      const n = accessTokens.size;
      accessTokens.clear();
      return n;
    },
  };
}
