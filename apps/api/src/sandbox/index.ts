/**
 * The built-in sandbox, served under /sandbox when CONNECTIONS_SANDBOX is on (the default in development):
 * an OAuth 2.0 authorization server (oidc-provider in a child process, proxied under /sandbox/oauth), an
 * OAuth 1.0a provider (/sandbox/oauth1), a small protected "contacts" API (/sandbox/api) and an admin-only
 * control endpoint (/sandbox/control) that makes the providers misbehave for demonstrations and tests.
 */
import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { AccountsService } from '../domain/accounts';
import { callerIdentifier } from './caller';
import { SANDBOX_OAUTH1_CONSUMER, SANDBOX_OAUTH2_CLIENT } from './catalog';
import { contactsApi } from './contacts-api';
import { SANDBOX_CSS } from './html';
import { controlHandler, type SandboxControl } from './control';
import { sandboxGuide } from './guide';
import { createOAuth1Sandbox, type OAuth1Sandbox } from './oauth1';
import { type OAuth2Process, startOAuth2Process } from './oauth2-process';

export type { SandboxControl } from './control';

export const SANDBOX_PATH = '/sandbox';

export interface Sandbox {
  /** Starts the OAuth 2.0 server once the public URL is known (after listen). */
  start(publicUrl: string, redirectUri: string): Promise<void>;
  control(input: SandboxControl): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** What the routes share: the OAuth 2.0 child (absent until start) and the failures still to inject. */
interface SandboxState {
  oauth2?: OAuth2Process;
  tokenEndpointFailures: number;
}

/** Forwards /sandbox/oauth to the child process, or fails as told to by the control endpoint. */
function oauth2Proxy(state: SandboxState) {
  return (req: Request, res: Response) => {
    if (!state.oauth2) return void res.status(503).json({ error: 'temporarily_unavailable' });
    if (req.method === 'POST' && req.path === '/token' && state.tokenEndpointFailures > 0) {
      state.tokenEndpointFailures -= 1;
      return void res
        .status(503)
        .json({ error: 'temporarily_unavailable', error_description: 'The sandbox was told to fail.' });
    }
    state.oauth2.proxy(req, res);
  };
}

function sandboxLifecycle(state: SandboxState, oauth1: OAuth1Sandbox, logger: Logger): Sandbox {
  return {
    async start(publicUrl, redirectUri) {
      state.oauth2 = await startOAuth2Process({
        issuer: `${publicUrl}${SANDBOX_PATH}/oauth`,
        clientId: SANDBOX_OAUTH2_CLIENT.clientId,
        clientSecret: SANDBOX_OAUTH2_CLIENT.clientSecret,
        redirectUri,
        logger,
      });
    },
    async control(input) {
      if (input.tokenEndpointFailures !== undefined)
        state.tokenEndpointFailures = input.tokenEndpointFailures;
      const result: Record<string, number> = { tokenEndpointFailures: state.tokenEndpointFailures };
      if (state.oauth2) Object.assign(result, await state.oauth2.control(input));
      if (input.revokeGrants) result.revokedOAuth1Tokens = oauth1.revokeAll();
      return result;
    },
    async close() {
      await state.oauth2?.close();
      state.oauth2 = undefined;
    },
  };
}

export function mountSandbox(
  app: Express,
  deps: { accounts: AccountsService; logger: Logger; publicUrl?: () => string },
): Sandbox {
  const state: SandboxState = { tokenEndpointFailures: 0 };
  const oauth1 = createOAuth1Sandbox(SANDBOX_OAUTH1_CONSUMER.clientId, SANDBOX_OAUTH1_CONSUMER.clientSecret);
  const sandbox = sandboxLifecycle(state, oauth1, deps.logger);

  app.get([SANDBOX_PATH, `${SANDBOX_PATH}/`], sandboxGuide(deps.publicUrl ?? (() => '')));
  app.get(`${SANDBOX_PATH}/style.css`, (_req, res) => {
    res.type('css').setHeader('Cache-Control', 'public, max-age=3600').send(SANDBOX_CSS);
  });
  app.use(`${SANDBOX_PATH}/oauth`, oauth2Proxy(state));
  app.use(`${SANDBOX_PATH}/oauth1`, oauth1.router);
  app.use(`${SANDBOX_PATH}/api`, contactsApi(callerIdentifier(() => state.oauth2, oauth1)));
  app.post(
    `${SANDBOX_PATH}/control`,
    express.json({ limit: '4kb' }),
    controlHandler(deps.accounts, (input) => sandbox.control(input)),
  );
  return sandbox;
}
