import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { AppServices } from '../graphql/context';
import type { Metrics } from '../metrics';
import { mountSandbox, type Sandbox } from '../sandbox';
import { consoleDir, mountConsole } from './console';
import { mountOAuthRoutes } from './oauth-routes';
import { mountProxy } from './proxy';

export interface RouteDeps {
  services: AppServices;
  /** Resolves while the database answers (the readiness probe); the database itself stays below. */
  databaseReady: () => Promise<void>;
  metrics: Metrics;
  publicUrl: () => string;
  /** Signs the OAuth dance's session cookie. */
  oauthSessionSecret: string;
}

function mountProbes(app: Express, databaseReady: () => Promise<void>, metrics: Metrics): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await databaseReady();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

/**
 * Express's default handler answers an unreadable body (malformed JSON, over the size limit) with an HTML page
 * and a stack trace. Answer like the GraphQL layer: a code and a fixed message. body-parser's own message is
 * not echoed: it quotes the body, which may hold a secret.
 */
function jsonErrorHandler(logger: Logger): express.ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, type } = (err ?? {}) as { status?: unknown; type?: unknown };
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError) logger.error({ err }, 'unexpected HTTP error');
    const message = !clientError
      ? 'Internal server error.'
      : type === 'entity.parse.failed'
        ? 'The request body is not valid JSON.'
        : type === 'entity.too.large'
          ? 'The request body is too large.'
          : 'The request could not be read.';
    res.status(clientError ? status : 500).json({
      errors: [{ message, extensions: { code: clientError ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' } }],
    });
  };
}

/**
 * Everything but /graphql: probes and metrics, the OAuth dance, /proxy, the sandbox when enabled, the console,
 * and the JSON error handler. Returns the sandbox, which can only start once the server listens.
 */
export function mountRoutes(app: Express, deps: RouteDeps): Sandbox | undefined {
  const { config, logger, accounts, attempts, invocations } = deps.services;
  mountProbes(app, deps.databaseReady, deps.metrics);
  mountOAuthRoutes(app, {
    accounts,
    attempts,
    publicUrl: deps.publicUrl,
    sessionSecret: deps.oauthSessionSecret,
    logger,
  });
  mountProxy(app, { accounts, invocations, maxResponseBytes: config.invocation.maxResponseBytes });
  const sandbox = config.sandbox ? mountSandbox(app, { accounts, logger }) : undefined;
  mountConsole(app, consoleDir(config.consoleDir));
  // Last, so that it sees the errors of every route above.
  app.use(jsonErrorHandler(logger));
  return sandbox;
}
