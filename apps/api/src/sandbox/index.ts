/**
 * The built-in sandbox, served under /sandbox when CONNECTIONS_SANDBOX is on (the default in development):
 * an OAuth 2.0 authorization server (oidc-provider in a child process, proxied under /sandbox/oauth), an
 * OAuth 1.0a provider (/sandbox/oauth1), a small protected "contacts" API (/sandbox/api) and an admin-only
 * control endpoint (/sandbox/control) that makes the providers misbehave for demonstrations and tests.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { AccountsService } from '../domain/accounts';
import { viewerFromHeaders } from '../http/auth';
import {
  SANDBOX_API_KEY,
  SANDBOX_BASIC_USER,
  SANDBOX_OAUTH1_CONSUMER,
  SANDBOX_OAUTH2_CLIENT,
} from './catalog';
import { createOAuth1Sandbox, oauth1Params } from './oauth1';
import { type OAuth2Process, startOAuth2Process } from './oauth2-process';

export const SANDBOX_PATH = '/sandbox';

export interface SandboxControl {
  /** Lifetime of access tokens, applied at once to tokens already issued too. 0: the default hour. */
  accessTokenTtlSeconds?: number;
  /** The next n requests to the token endpoint get 503 (a transient failure: REFRESH_FAILED, then retry). */
  tokenEndpointFailures?: number;
  /** Forget every grant: the next refresh gets invalid_grant (NEEDS_REAUTH), OAuth 1.0a tokens stop working. */
  revokeGrants?: boolean;
}

export interface Sandbox {
  /** Starts the OAuth 2.0 server once the public URL is known (after listen). */
  start(publicUrl: string, redirectUri: string): Promise<void>;
  control(input: SandboxControl): Promise<Record<string, number>>;
  close(): Promise<void>;
}

interface Contact {
  id: string;
  name: string;
  email: string;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function mountSandbox(app: Express, deps: { accounts: AccountsService; logger: Logger }): Sandbox {
  let oauth2: OAuth2Process | undefined;
  let tokenEndpointFailures = 0;
  const oauth1 = createOAuth1Sandbox(SANDBOX_OAUTH1_CONSUMER.clientId, SANDBOX_OAUTH1_CONSUMER.clientSecret);
  const contacts = new Map<string, Contact[]>();
  const contactsOf = (user: string) => {
    let list = contacts.get(user);
    if (!list) {
      list = [
        { id: 'c-1', name: 'Ada Lovelace', email: 'ada@example.test' },
        { id: 'c-2', name: 'Grace Hopper', email: 'grace@example.test' },
        { id: 'c-3', name: 'Alan Turing', email: 'alan@example.test' },
      ];
      contacts.set(user, list);
    }
    return list;
  };

  app.use(`${SANDBOX_PATH}/oauth`, (req, res) => {
    if (!oauth2) return void res.status(503).json({ error: 'temporarily_unavailable' });
    if (req.method === 'POST' && req.path === '/token' && tokenEndpointFailures > 0) {
      tokenEndpointFailures -= 1;
      return void res
        .status(503)
        .json({ error: 'temporarily_unavailable', error_description: 'The sandbox was told to fail.' });
    }
    oauth2.proxy(req, res);
  });
  app.use(`${SANDBOX_PATH}/oauth1`, oauth1.router);

  /** Who is calling the contacts API, by any of the four kinds of credentials, wherever they are sent. */
  async function caller(
    req: Request,
    raw: string,
  ): Promise<{ user: string; via: string } | { problem: string }> {
    const auth = req.headers.authorization ?? '';
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = isForm ? new URLSearchParams(raw) : new URLSearchParams();
    const query = new URL(req.originalUrl, 'http://x').searchParams;
    const param = (name: string) => query.get(name) ?? form.get(name) ?? undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? param('access_token');
    if (bearer) {
      const info = oauth2 ? await oauth2.verify(bearer) : { active: false };
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
  }

  const api = express.Router();
  api.use(express.text({ type: '*/*', limit: '64kb' }), async (req, res, next) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    try {
      const who = await caller(req, raw);
      if ('problem' in who) {
        res.setHeader('www-authenticate', `Bearer error="invalid_token"`);
        return void res.status(401).json({ error: who.problem });
      }
      res.locals.caller = who;
      res.locals.raw = raw;
      next();
    } catch (e) {
      next(e);
    }
  });
  api.get('/me', (_req, res) => {
    const { user, via } = res.locals.caller as { user: string; via: string };
    res.json({ id: user, name: 'Sandbox User', email: `${user}@sandbox.invalid`, authenticatedWith: via });
  });
  api.get('/contacts', (_req, res) => {
    const { user, via } = res.locals.caller as { user: string; via: string };
    res.json({ authenticatedWith: via, contacts: contactsOf(user) });
  });
  api.post('/contacts', (req, res) => {
    const { user } = res.locals.caller as { user: string };
    const raw = res.locals.raw as string;
    let fields: Record<string, unknown>;
    if ((req.headers['content-type'] ?? '').includes('json')) {
      try {
        fields = JSON.parse(raw || '{}');
      } catch {
        return void res.status(400).json({ error: 'invalid_json' });
      }
    } else fields = Object.fromEntries(new URLSearchParams(raw));
    const name = typeof fields.name === 'string' ? fields.name.slice(0, 100) : '';
    if (!name) return void res.status(400).json({ error: 'name is required' });
    const list = contactsOf(user);
    if (list.length >= 100)
      return void res.status(409).json({ error: 'the sandbox keeps 100 contacts at most' });
    const contact = {
      id: randomUUID(),
      name,
      email: typeof fields.email === 'string' ? fields.email.slice(0, 200) : '',
    };
    list.push(contact);
    res.status(201).json(contact);
  });
  app.use(`${SANDBOX_PATH}/api`, api);

  const sandbox: Sandbox = {
    async start(publicUrl, redirectUri) {
      oauth2 = await startOAuth2Process({
        issuer: `${publicUrl}${SANDBOX_PATH}/oauth`,
        clientId: SANDBOX_OAUTH2_CLIENT.clientId,
        clientSecret: SANDBOX_OAUTH2_CLIENT.clientSecret,
        redirectUri,
        logger: deps.logger,
      });
    },
    async control(input) {
      if (input.tokenEndpointFailures !== undefined) tokenEndpointFailures = input.tokenEndpointFailures;
      const result: Record<string, number> = { tokenEndpointFailures };
      if (oauth2) Object.assign(result, await oauth2.control(input));
      if (input.revokeGrants) result.revokedOAuth1Tokens = oauth1.revokeAll();
      return result;
    },
    async close() {
      await oauth2?.close();
      oauth2 = undefined;
    },
  };

  app.post(`${SANDBOX_PATH}/control`, express.json({ limit: '4kb' }), async (req: Request, res: Response) => {
    // JSON only: a cross-site form cannot send it without a preflight, so the session cookie cannot be abused.
    if (!req.is('application/json')) return void res.status(415).json({ error: 'send application/json' });
    const viewer = await viewerFromHeaders(deps.accounts, req.headers);
    if (!viewer) return void res.status(401).json({ error: 'sign in first' });
    if (viewer.role !== 'ADMIN') return void res.status(403).json({ error: 'admins only' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const count = (v: unknown, max: number) =>
      v === undefined
        ? undefined
        : Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max
          ? (v as number)
          : NaN;
    const input: SandboxControl = {
      accessTokenTtlSeconds: count(body.accessTokenTtlSeconds, 86_400),
      tokenEndpointFailures: count(body.tokenEndpointFailures, 1000),
      revokeGrants: body.revokeGrants === true,
    };
    if (Number.isNaN(input.accessTokenTtlSeconds) || Number.isNaN(input.tokenEndpointFailures))
      return void res
        .status(400)
        .json({ error: 'accessTokenTtlSeconds and tokenEndpointFailures are counts' });
    res.json(await sandbox.control(input));
  });

  return sandbox;
}
