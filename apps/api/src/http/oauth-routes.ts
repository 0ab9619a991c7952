import { createAuthRouter } from '@connections/auth-flows';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { AccountsService } from '../domain/accounts';
import type { AttemptResult, AttemptsService } from '../domain/attempts';
import { AppError } from '../errors';
import { OAUTH_BASE_PATH } from '../oauth-urls';
import { viewerFromHeaders } from './auth';
import {
  checkConfirmation,
  clearConfirmation,
  confirmPage,
  PAGE_HEADERS,
  summaryList,
} from './oauth-confirm';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
// JSON inside a <script>: no "</script>" or HTML comment can break out of it.
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/**
 * The page the popup lands on: it tells the console (window.opener, on the console's own origin only) how
 * the attempt ended and closes; without an opener it goes to the connection's page in the console.
 */
export function resultPage(res: Response, publicUrl: string, result: AttemptResult, httpStatus = 200): void {
  const origin = new URL(publicUrl).origin;
  const { attemptId, connectionId, status, message: text } = result;
  const message = { type: 'connections:authorization', attemptId, connectionId, status, message: text };
  const next = result.connectionId ? `/connections/${encodeURIComponent(result.connectionId)}` : '/';
  const title =
    result.status === 'CONNECTED'
      ? 'Connected'
      : result.status === 'DENIED'
        ? 'Access denied'
        : 'Authorization failed';
  res
    .status(httpStatus)
    .set({
      ...PAGE_HEADERS,
      'Content-Security-Policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    })
    .type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;margin:3rem;color:#1f2328}dt{font-weight:600}dd{margin:0 0 .5rem}</style></head>
<body><h1>${title}</h1><p>${escapeHtml(result.message)}</p>${result.summary ? summaryList(result.summary) : ''}
<p>You can close this window.</p>
<script>
(function () {
  var message = ${scriptJson(message)};
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(message, ${scriptJson(origin)});
    window.close();
  } else {
    window.location.replace(${scriptJson(next)});
  }
})();
</script></body></html>`);
}

const failurePage = (res: Response, publicUrl: string, e: AppError) => {
  const status = e.code === 'NOT_FOUND' ? 404 : e.code === 'FORBIDDEN' ? 403 : 410;
  resultPage(res, publicUrl, { status: 'FAILED', message: e.message }, status);
};

interface OAuthRouteDeps {
  accounts: AccountsService;
  attempts: AttemptsService;
  publicUrl: () => string;
  sessionSecret: string;
  logger: Logger;
}

/**
 * GET /oauth/connect/:attemptId: the signed-in user who asked goes straight to the provider; a browser
 * signed in to nothing, with the attempt's one-time code, gets the confirmation page, whose form POSTs back
 * here to start the flow. Both once, within ten minutes.
 */
function mountConnect(app: Express, deps: OAuthRouteDeps): void {
  const path = `${OAUTH_BASE_PATH}/connect/:attemptId`;
  const fail = (res: Response, next: NextFunction, e: unknown) =>
    e instanceof AppError ? failurePage(res, deps.publicUrl(), e) : next(e);
  app.get(path, async (req, res, next) => {
    try {
      const attemptId = String(req.params.attemptId);
      const viewer = await viewerFromHeaders(deps.accounts, { cookie: req.headers.cookie });
      const code = typeof req.query.code === 'string' ? req.query.code : undefined;
      if (viewer) {
        await deps.attempts.open(attemptId, viewer, code);
        return next();
      }
      const summary = await deps.attempts.describe(attemptId, null, code);
      const page = { publicUrl: deps.publicUrl(), secret: deps.sessionSecret, attemptId, summary };
      confirmPage(res, { ...page, code: code! });
    } catch (e) {
      fail(res, next, e);
    }
  });
  app.post(path, express.urlencoded({ extended: false, limit: '4kb' }), async (req: Request, res, next) => {
    try {
      const attemptId = String(req.params.attemptId);
      checkConfirmation(req, { publicUrl: deps.publicUrl(), secret: deps.sessionSecret });
      const viewer = await viewerFromHeaders(deps.accounts, { cookie: req.headers.cookie });
      const code = typeof req.body?.code === 'string' ? req.body.code : undefined;
      await deps.attempts.open(attemptId, viewer, code);
      clearConfirmation(res, deps.publicUrl(), attemptId);
      next();
    } catch (e) {
      fail(res, next, e);
    }
  });
}

/** The connect routes (checked here), then grant's flow; GET /oauth/callback stores the outcome. */
export function mountOAuthRoutes(app: Express, deps: OAuthRouteDeps): void {
  mountConnect(app, deps);
  let router: ReturnType<typeof createAuthRouter> | undefined;
  app.use((req, res, next) => {
    if (!req.path.startsWith(`${OAUTH_BASE_PATH}/`)) return next();
    // Built on first use: the public URL may only be known once the server listens (PORT=0).
    router ??= createAuthRouter({
      publicUrl: deps.publicUrl(),
      basePath: OAUTH_BASE_PATH,
      sessionSecret: deps.sessionSecret,
      // The dance's state lives in the attempt's row, not in this process: the provider's redirect may
      // land on another replica (no sticky sessions). One code path, with or without Redis.
      flowState: deps.attempts.flows,
      // The token exchange and profile request leave through the guarded network path like every other
      // request: the client secret goes only where the address policy allows.
      agents: deps.attempts.grantAgents,
      connectByPost: true,
      resolveAttempt: (attemptId) => deps.attempts.config(attemptId),
      onComplete: async (attemptId, outcome, _req, res) => {
        const result = await deps.attempts.complete(attemptId, outcome);
        deps.logger.info(
          { attemptId, connectionId: result.connectionId, status: result.status },
          'authorization attempt finished',
        );
        resultPage(res, deps.publicUrl(), result, attemptId ? 200 : 400);
      },
    });
    router(req, res, next);
  });
}
