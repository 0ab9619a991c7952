import type { Request } from 'express';
import { SANDBOX_API_KEY, SANDBOX_BASIC_USER } from './catalog';
import type { OAuth1Sandbox } from './oauth1';
import { oauth1Params } from './oauth1-signature';
import type { OAuth2Process } from './oauth2-process';
import { same } from './same';

export interface Caller {
  user: string;
  via: string;
}

export type IdentifyCaller = (req: Request, raw: string) => Promise<Caller | { problem: string }>;

/** Who is calling the contacts API, by any of the four kinds of credentials, wherever they are sent. */
export function callerIdentifier(
  oauth2: () => OAuth2Process | undefined,
  oauth1: OAuth1Sandbox,
): IdentifyCaller {
  return async (req, raw) => {
    const auth = req.headers.authorization ?? '';
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = isForm ? new URLSearchParams(raw) : new URLSearchParams();
    const query = new URL(req.originalUrl, 'http://x').searchParams;
    const param = (name: string) => query.get(name) ?? form.get(name) ?? undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? param('access_token');
    if (bearer) {
      const server = oauth2();
      const info = server ? await server.verify(bearer) : { active: false };
      return info.active ? { user: info.sub ?? 'sandbox-user', via: 'OAUTH2' } : { problem: 'invalid_token' };
    }
    const basic = /^Basic\s+(\S+)$/i.exec(auth)?.[1];
    if (basic) {
      const [user, ...rest] = Buffer.from(basic, 'base64').toString().split(':');
      return same(user ?? '', SANDBOX_BASIC_USER.username) &&
        same(rest.join(':'), SANDBOX_BASIC_USER.password)
        ? { user: 'sandbox-user', via: 'BASIC' }
        : { problem: 'invalid_credentials' };
    }
    if (oauth1Params(req, raw).some(([k]) => k === 'oauth_signature')) {
      const r = oauth1.verifyResource(req, raw);
      return 'user' in r ? { user: r.user, via: 'OAUTH1' } : r;
    }
    const key = (req.headers['x-api-key'] as string | undefined) ?? param('X-API-Key') ?? param('api_key');
    if (key !== undefined)
      return same(key, SANDBOX_API_KEY)
        ? { user: 'sandbox-user', via: 'API_KEY' }
        : { problem: 'invalid_api_key' };
    return { problem: 'missing_credentials' };
  };
}
