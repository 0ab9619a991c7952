import { dirname } from 'node:path';
import { computeSignature, signatureBaseString } from '../sign/oauth1';

type RequestOAuthMiddleware = (oauth: Record<string, string>) => (args: {
  options: {
    protocol: string;
    hostname: string;
    port?: number | string | null;
    path: string;
    method: string;
    headers: Record<string, string>;
  };
  body?: string;
}) => { options: { headers: Record<string, string> } };

let cached: boolean | undefined;

/**
 * Whether grant's OAuth 1.0a signer signs URLs with a non-default port correctly, i.e. whether
 * scripts/patch-request-oauth.cjs ran at install. Checked by behaviour, not by reading the file: the
 * signer signs a sample request and the signature is compared with ours for the RFC base string.
 */
export function requestOAuthSignsPortsCorrectly(): boolean {
  if (cached !== undefined) return cached;
  try {
    const grantDir = dirname(require.resolve('grant/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sign = require(require.resolve('request-oauth', { paths: [grantDir] })) as RequestOAuthMiddleware;
    const oauth = { consumer_key: 'k', consumer_secret: 's', nonce: 'n', timestamp: '1' };
    const { options } = sign(oauth)({
      options: {
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 8080,
        path: '/initiate?a=1',
        method: 'POST',
        headers: {},
      },
    });
    const header = options.headers.Authorization ?? '';
    const signature = decodeURIComponent(/oauth_signature="([^"]+)"/.exec(header)?.[1] ?? '');
    const params: [string, string][] = [...header.matchAll(/(oauth_[a-z_]+)="([^"]*)"/g)].map((m) => [
      m[1]!,
      decodeURIComponent(m[2]!),
    ]);
    const expected = computeSignature(
      'HMAC-SHA1',
      signatureBaseString('POST', 'http://127.0.0.1:8080/initiate?a=1', params),
      { consumerKey: 'k', consumerSecret: 's' },
    );
    cached = signature !== '' && signature === expected;
  } catch {
    cached = false;
  }
  return cached;
}

/** True when some URL the OAuth 1.0a dance signs carries an explicit non-default port. */
export function usesNonDefaultPort(...urls: (string | undefined)[]): boolean {
  return urls.some((url) => {
    if (!url) return false;
    try {
      return new URL(url).port !== '';
    } catch {
      return false;
    }
  });
}
