import { generateKeyPairSync } from 'node:crypto';
import { request } from 'undici';
import type { ClientCredentials, OutgoingRequest } from '../types';
import type { Consumer } from './oauth1-provider';

/** A consumer with an RSA key pair (for RSA-SHA1): the client side, and what the provider must know of it. */
export function rsaConsumer(
  clientId: string,
  clientSecret: string,
): { client: ClientCredentials; consumers: Record<string, Consumer> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    client: {
      clientId,
      clientSecret,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
    consumers: { [clientId]: { secret: clientSecret, publicKey } },
  };
}

/** Sends an OutgoingRequest as it is (after authenticate) and reads the answer. */
export async function send(
  req: OutgoingRequest,
): Promise<{ status: number; text: string; json<T = any>(): T }> {
  const res = await request(req.url, {
    method: req.method as 'GET',
    headers: req.headers,
    body: typeof req.body === 'string' ? req.body : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: () => JSON.parse(text) };
}
