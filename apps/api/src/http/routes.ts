import express, { type Express, type RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppServices } from '../graphql/context';
import type { Metrics } from '../metrics';
import { mountSandbox, type Sandbox } from '../sandbox';
import { bodyErrorOf } from './body-errors';
import { consoleDir, mountConsole } from './console';
import { mountLogos } from './logos';
import { mountOAuthRoutes } from './oauth-routes';
import { type ProxyHandler, proxyHandler } from './proxy';

export interface RouteDeps {
  services: AppServices;
  /** Resolves while the database answers (the readiness probe); the database itself stays below. */
  databaseReady: () => Promise<void>;
  metrics: Metrics;
  publicUrl: () => string;
  /** Signs the OAuth dance's session cookie. */
  oauthSessionSecret: string;
  /** The app's security headers middleware; /proxy, served before the app, sets its fixed headers too. */
  securityHeaders: RequestHandler;
}

/**
 * GET /metrics answers only `Authorization: Bearer <CONNECTIONS_METRICS_TOKEN>`; unset, it is off (404). One
 * token for the deployment rather than an admin's API token: the series span every workspace (link names
 * included), and a scraper's credential should neither belong to a person nor be able to run mutations.
 */
function metricsAuth(token: string | undefined): RequestHandler {
  // Digests compared in constant time: neither a prefix nor the token's length shows in the timing.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const expected = token ? digest(token) : undefined;
  return (req, res, next) => {
    if (!expected)
      return void res.status(404).json({
        error: { code: 'NOT_FOUND', message: 'Metrics are off: set CONNECTIONS_METRICS_TOKEN.' },
      });
    const presented = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (presented && timingSafeEqual(digest(presented), expected)) return next();
    // RFC 6750 3: a missing or wrong bearer token is a 401 with a challenge.
    res
      .status(401)
      .setHeader('WWW-Authenticate', 'Bearer realm="metrics"')
      .json({ error: { code: 'UNAUTHENTICATED', message: 'GET /metrics needs the metrics token.' } });
  };
}

function mountProbes(
  app: Express,
  databaseReady: () => Promise<void>,
  metrics: Metrics,
  metricsToken: string | undefined,
): void {
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
  app.get('/metrics', metricsAuth(metricsToken), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

/**
 * Express's default handler answers an unreadable body (malformed JSON, over the size limit) with an HTML page
 * and a stack trace. Answer like the GraphQL layer: a code and a fixed message (body-errors.ts).
 */
function jsonErrorHandler(logger: Logger): express.ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, code, message, unexpected } = bodyErrorOf(err);
    if (unexpected) logger.error({ err }, 'unexpected HTTP error');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };
}

/**
 * Everything but /graphql: probes and metrics, the OAuth dance, the sandbox when enabled, the console, and the
 * JSON error handler. Returns the sandbox, which can only start once the server listens, and /proxy's lean
 * handler, which the HTTP server runs before the app (see proxy.ts).
 */
export function mountRoutes(
  app: Express,
  deps: RouteDeps,
): { sandbox: Sandbox | undefined; proxy: ProxyHandler } {
  const { config, logger, accounts, attempts, invocations } = deps.services;
  mountProbes(app, deps.databaseReady, deps.metrics, config.metricsToken);
  mountLogos(app, deps.services.registry);
  mountOAuthRoutes(app, {
    accounts,
    attempts,
    publicUrl: deps.publicUrl,
    sessionSecret: deps.oauthSessionSecret,
    logger,
  });
  const proxy = proxyHandler({
    accounts,
    invocations,
    maxResponseBytes: config.invocation.maxResponseBytes,
    securityHeaders: deps.securityHeaders,
  });
  const sandbox = config.sandbox
    ? mountSandbox(app, { accounts, logger, publicUrl: deps.publicUrl })
    : undefined;
  mountConsole(app, consoleDir(config.consoleDir));
  // Last, so that it sees the errors of every route above.
  app.use(jsonErrorHandler(logger));
  return { sandbox, proxy };
}
