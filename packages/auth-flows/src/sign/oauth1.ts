import { createHmac, createSign } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { OAuth1SignatureMethod } from '../types';
import { encodePairs, parseFormPairs, percentEncode } from './percent';

export type Pair = [string, string];

export interface OAuth1Keys {
  consumerKey: string;
  /** Not used by RSA-SHA1. */
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
  /** PEM private key for RSA-SHA1. */
  privateKey?: string;
}

export interface OAuth1SignOptions {
  signatureMethod?: OAuth1SignatureMethod;
  /** Goes in the Authorization header only; never signed (section 3.4.1.3.1). */
  realm?: string;
  /** Further protocol parameters such as oauth_callback and oauth_verifier. */
  extraParams?: Record<string, string>;
  /** Fixed values for reproducible tests; random and current otherwise. */
  nonce?: string;
  timestamp?: string;
  /** oauth_version is optional in RFC 5849, but some providers still expect it. Default true. */
  includeVersion?: boolean;
}

export interface OAuth1SignInput {
  method: string;
  url: string;
  /** Parameters of a single-part application/x-www-form-urlencoded body, already decoded. */
  formParams?: readonly Pair[];
}

/**
 * Section 3.4.1.2: scheme and host in lower case, the port only when it is not the scheme's default,
 * the path as sent, no query or fragment. WHATWG URL parsing already lower-cases and drops default ports.
 */
export function baseStringUri(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname || '/'}`;
}

/** Section 3.4.1.3.2: encode every name and value, sort by name then value (byte order), join. */
export function normalizeParameters(pairs: readonly (readonly [string, string])[]): string {
  return pairs
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/**
 * Section 3.4.1.3.1 collects the query, the protocol parameters (without realm and oauth_signature)
 * and a form body; section 3.4.1 joins method, base URI and the normalised parameters.
 */
export function signatureBaseString(
  method: string,
  url: string,
  params: readonly (readonly [string, string])[],
): string {
  const query = parseFormPairs(new URL(url).search);
  const all = [...query, ...params.filter(([name]) => name !== 'realm' && name !== 'oauth_signature')];
  return [
    method.toUpperCase(),
    percentEncode(baseStringUri(url)),
    percentEncode(normalizeParameters(all)),
  ].join('&');
}

function signingKey(keys: OAuth1Keys): string {
  return `${percentEncode(keys.consumerSecret ?? '')}&${percentEncode(keys.tokenSecret ?? '')}`;
}

/** Sections 3.4.2 to 3.4.4, plus HMAC-SHA256, the common extension built the same way as HMAC-SHA1. */
export function computeSignature(
  method: OAuth1SignatureMethod,
  baseString: string,
  keys: OAuth1Keys,
): string {
  switch (method) {
    case 'HMAC-SHA1':
      return createHmac('sha1', signingKey(keys)).update(baseString).digest('base64');
    case 'HMAC-SHA256':
      return createHmac('sha256', signingKey(keys)).update(baseString).digest('base64');
    case 'PLAINTEXT':
      return signingKey(keys);
    case 'RSA-SHA1': {
      if (!keys.privateKey) throw new Error('RSA-SHA1 needs the client private key');
      return createSign('RSA-SHA1').update(baseString).sign(keys.privateKey, 'base64');
    }
  }
}

/** The protocol parameters for one request, oauth_signature included, in a stable order. */
export function oauth1ProtocolParams(
  input: OAuth1SignInput,
  keys: OAuth1Keys,
  options: OAuth1SignOptions = {},
): Pair[] {
  const signatureMethod = options.signatureMethod ?? 'HMAC-SHA1';
  const params: Pair[] = [['oauth_consumer_key', keys.consumerKey]];
  if (keys.token) params.push(['oauth_token', keys.token]);
  params.push(['oauth_signature_method', signatureMethod]);
  // PLAINTEXT has no timestamp or nonce requirement, but sending them is harmless and some servers want them.
  params.push(['oauth_timestamp', options.timestamp ?? String(Math.floor(Date.now() / 1000))]);
  params.push(['oauth_nonce', options.nonce ?? randomBytes(16).toString('hex')]);
  if (options.includeVersion ?? true) params.push(['oauth_version', '1.0']);
  for (const [name, value] of Object.entries(options.extraParams ?? {})) params.push([name, value]);

  const base = signatureBaseString(input.method, input.url, [...params, ...(input.formParams ?? [])]);
  params.push(['oauth_signature', computeSignature(signatureMethod, base, keys)]);
  return params;
}

/** Section 3.5.1: `OAuth realm="...", name="value", ...` with every value percent-encoded. */
export function authorizationHeader(params: readonly Pair[], realm?: string): string {
  const parts = realm === undefined ? [] : [`realm="${realm.replace(/["\\]/g, '')}"`];
  for (const [name, value] of params) parts.push(`${percentEncode(name)}="${percentEncode(value)}"`);
  return `OAuth ${parts.join(', ')}`;
}

/** Sections 3.5.2 and 3.5.3: the parameters as a form or query fragment. */
export function encodeProtocolParams(params: readonly Pair[]): string {
  return encodePairs(params);
}
