import { createAuthRouter } from '@connections/auth-flows';
import type { Express, Response } from 'express';
import type { Logger } from 'pino';
import type { AccountsService } from '../domain/accounts';
import type { AttemptResult, AttemptsService } from '../domain/attempts';
import { AppError } from '../errors';
import { OAUTH_BASE_PATH } from '../oauth-urls';
import { viewerFromHeaders } from './auth';

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
  const message = { type: 'connections:authorization', ...result };
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
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      'Referrer-Policy': 'no-referrer',
    })
    .type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;margin:3rem;color:#1f2328}</style></head>
<body><h1>${title}</h1><p>${escapeHtml(result.message)}</p><p>You can close this window.</p>
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

/**
 * GET /oauth/connect/:attemptId (checked here: the signed-in user who asked, or the attempt's one-time code;
 * once; within ten minutes) then grant's flow; GET /oauth/callback stores the outcome.
 */
export function mountOAuthRoutes(
  app: Express,
  deps: {
    accounts: AccountsService;
    attempts: AttemptsService;
    publicUrl: () => string;
    sessionSecret: string;
    logger: Logger;
  },
): void {
  app.get(`${OAUTH_BASE_PATH}/connect/:attemptId`, async (req, res, next) => {
    try {
      const viewer = await viewerFromHeaders(deps.accounts, { cookie: req.headers.cookie });
      const code = typeof req.query.code === 'string' ? req.query.code : undefined;
      await deps.attempts.open(req.params.attemptId, viewer, code);
      next();
    } catch (e) {
      if (!(e instanceof AppError)) return next(e);
      const status = e.code === 'NOT_FOUND' ? 404 : e.code === 'FORBIDDEN' ? 403 : 410;
      resultPage(res, deps.publicUrl(), { status: 'FAILED', message: e.message }, status);
    }
  });
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
