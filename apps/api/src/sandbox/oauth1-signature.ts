/**
 * Signature checks for the sandbox's OAuth 1.0a provider (RFC 5849 3.4): parameter collection, the base
 * string, and HMAC-SHA1 or PLAINTEXT with nonce and timestamp checks.
 */
import { createHmac } from 'node:crypto';
import type { Request } from 'express';
import { same } from './same';

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

/** The request's oauth_* parameters when its signature holds, else the RFC's oauth_problem for it. */
export type VerifySignature = (
  req: Request,
  rawBody: string,
  tokenSecret: string,
) => Record<string, string> | string;

export function signatureCheck(consumerKey: string, consumerSecret: string): VerifySignature {
  const nonces = new Set<string>();
  return (req, rawBody, tokenSecret) => {
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
  };
}
