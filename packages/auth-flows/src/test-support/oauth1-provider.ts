/**
 * An OAuth 1.0a provider for tests: temporary credentials, an authorize endpoint that approves at once,
 * token credentials, and a protected resource. Signatures are verified here with node:crypto by code
 * that shares nothing with src/sign, so a signing bug cannot be mirrored by the verifier.
 */
import { createHmac, createVerify, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { listen, type RunningServer } from './http';

export interface Consumer {
  secret: string;
  /** For RSA-SHA1. */
  publicKey?: KeyObject;
}

export interface OAuth1Provider extends RunningServer {
  /** Requests that reached each endpoint, and those whose signature failed. */
  counts: { requestToken: number; accessToken: number; resource: number; rejected: number };
  /** The signature methods the resource accepted, in order. */
  acceptedMethods: string[];
  /** The last rejection reason, for test diagnostics. */
  lastRejection?: string;
}

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!*'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

function splitPairs(raw: string): [string, string][] {
  return raw
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const at = part.indexOf('=');
      return at < 0 ? [dec(part), ''] : [dec(part.slice(0, at)), dec(part.slice(at + 1))];
    });
}

function headerParams(header: string | undefined): [string, string][] {
  if (!header || !/^OAuth\s/i.test(header)) return [];
  const out: [string, string][] = [];
  for (const match of header.slice(6).matchAll(/([A-Za-z0-9_%.-]+)="([^"]*)"/g)) {
    if (match[1] !== 'realm') out.push([decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)]);
  }
  return out;
}

interface Collected {
  all: [string, string][];
  oauth: Record<string, string>;
  other: [string, string][];
  /** Where the signature arrived (RFC 5849 3.5): the Authorization header, the form body or the query. */
  oauthIn: 'header' | 'body' | 'query' | 'none';
}

function collect(req: Request, rawBody: string): Collected {
  const url = req.originalUrl;
  const query = url.includes('?') ? splitPairs(url.slice(url.indexOf('?') + 1)) : [];
  const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const body = isForm ? splitPairs(rawBody) : [];
  const all = [...query, ...body, ...headerParams(req.headers.authorization)];
  const oauth: Record<string, string> = {};
  for (const [k, v] of all) if (k.startsWith('oauth_')) oauth[k] = v;
  const signed = ([k]: [string, string]) => k === 'oauth_signature';
  const oauthIn = headerParams(req.headers.authorization).some(signed)
    ? 'header'
    : body.some(signed)
      ? 'body'
      : query.some(signed)
        ? 'query'
        : 'none';
  return { all, oauth, other: all.filter(([k]) => !k.startsWith('oauth_')), oauthIn };
}

function baseString(req: Request, params: [string, string][]): string {
  // The Host header carries the port the client connected to; a non-default one must be signed.
  const host = String(req.headers.host).toLowerCase();
  const path = req.originalUrl.split('?')[0]!;
  const normalized = params
    .filter(([k]) => k !== 'oauth_signature')
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] === b[0] ? (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0) : a[0]! < b[0]! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${req.method.toUpperCase()}&${enc(`http://${host}${path}`)}&${enc(normalized)}`;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startOAuth1Provider(consumers: Record<string, Consumer>): Promise<OAuth1Provider> {
  const requestTokens = new Map<
    string,
    { secret: string; consumer: string; callback: string; verifier?: string }
  >();
  const accessTokens = new Map<string, { secret: string; consumer: string; user: string }>();
  const seenNonces = new Set<string>();
  const counts = { requestToken: 0, accessToken: 0, resource: 0, rejected: 0 };
  const acceptedMethods: string[] = [];
  const app = express();
  app.use(express.text({ type: '*/*' }));

  const diagnostics: { lastRejection?: string } = {};
  const reject = (res: Response, reason: string) => {
    counts.rejected += 1;
    diagnostics.lastRejection = reason;
    res.status(401).type('text/plain').send(`oauth_problem=${reason}`);
  };

  /** Verifies the request's signature; returns the collected parameters, or undefined after a 401. */
  function verify(req: Request, res: Response, tokenSecret: string): Collected | undefined {
    const collected = collect(req, typeof req.body === 'string' ? req.body : '');
    const { oauth } = collected;
    const consumer = consumers[oauth.oauth_consumer_key ?? ''];
    if (!consumer) return void reject(res, 'consumer_key_unknown');
    const nonceKey = `${oauth.oauth_consumer_key}:${oauth.oauth_timestamp}:${oauth.oauth_nonce}`;
    const method = oauth.oauth_signature_method ?? '';
    if (method !== 'PLAINTEXT') {
      if (!oauth.oauth_nonce || !oauth.oauth_timestamp) return void reject(res, 'parameter_absent');
      if (Math.abs(Date.now() / 1000 - Number(oauth.oauth_timestamp)) > 600)
        return void reject(res, 'timestamp_refused');
      if (seenNonces.has(nonceKey)) return void reject(res, 'nonce_used');
    }
    const signature = oauth.oauth_signature ?? '';
    const key = `${enc(consumer.secret)}&${enc(tokenSecret)}`;
    const base = baseString(req, collected.all);
    let ok = false;
    if (method === 'HMAC-SHA1')
      ok = sameText(signature, createHmac('sha1', key).update(base).digest('base64'));
    else if (method === 'HMAC-SHA256')
      ok = sameText(signature, createHmac('sha256', key).update(base).digest('base64'));
    else if (method === 'PLAINTEXT') ok = sameText(signature, key);
    else if (method === 'RSA-SHA1' && consumer.publicKey)
      ok = createVerify('RSA-SHA1').update(base).verify(consumer.publicKey, signature, 'base64');
    if (!ok) return void reject(res, 'signature_invalid');
    seenNonces.add(nonceKey);
    return collected;
  }

  app.post('/oauth/request_token', (req, res) => {
    counts.requestToken += 1;
    const collected = verify(req, res, '');
    if (!collected) return;
    const token = randomBytes(8).toString('hex');
    const secret = randomBytes(8).toString('hex');
    requestTokens.set(token, {
      secret,
      consumer: collected.oauth.oauth_consumer_key!,
      callback: collected.oauth.oauth_callback ?? 'oob',
    });
    res
      .type('application/x-www-form-urlencoded')
      .send(`oauth_token=${token}&oauth_token_secret=${secret}&oauth_callback_confirmed=true`);
  });

  app.get('/oauth/authorize', (req, res) => {
    const entry = requestTokens.get(String(req.query.oauth_token));
    if (!entry) return void res.status(400).send('unknown request token');
    entry.verifier = randomBytes(6).toString('hex');
    const target = new URL(entry.callback);
    target.searchParams.set('oauth_token', String(req.query.oauth_token));
    target.searchParams.set('oauth_verifier', entry.verifier);
    res.redirect(target.toString());
  });

  app.post('/oauth/access_token', (req, res) => {
    counts.accessToken += 1;
    const token = collect(req, typeof req.body === 'string' ? req.body : '').oauth.oauth_token ?? '';
    const entry = requestTokens.get(token);
    if (!entry) return void reject(res, 'token_rejected');
    const collected = verify(req, res, entry.secret);
    if (!collected) return;
    if (!entry.verifier || collected.oauth.oauth_verifier !== entry.verifier)
      return void reject(res, 'verifier_invalid');
    requestTokens.delete(token);
    const access = randomBytes(12).toString('hex');
    const secret = randomBytes(12).toString('hex');
    accessTokens.set(access, { secret, consumer: entry.consumer, user: 'u-1001' });
    res
      .type('application/x-www-form-urlencoded')
      .send(`oauth_token=${access}&oauth_token_secret=${secret}&user_id=u-1001&screen_name=ada`);
  });

  app.all('/api/resource', (req, res) => {
    counts.resource += 1;
    const token = collect(req, typeof req.body === 'string' ? req.body : '').oauth.oauth_token ?? '';
    const entry = accessTokens.get(token);
    if (!entry) return void reject(res, 'token_rejected');
    const collected = verify(req, res, entry.secret);
    if (!collected) return;
    acceptedMethods.push(collected.oauth.oauth_signature_method!);
    res.json({ user: entry.user, method: req.method, params: collected.other, oauthIn: collected.oauthIn });
  });

  app.get('/api/me', (req, res) => {
    const token = collect(req, '').oauth.oauth_token ?? '';
    const entry = accessTokens.get(token);
    if (!entry) return void reject(res, 'token_rejected');
    if (!verify(req, res, entry.secret)) return;
    res.json({ id: entry.user, name: 'Ada Lovelace', email: 'ada@example.test' });
  });

  const server = await listen(app);
  return {
    ...server,
    counts,
    acceptedMethods,
    get lastRejection() {
      return diagnostics.lastRejection;
    },
  };
}
