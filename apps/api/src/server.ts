import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, parse, specifiedRules, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import { type Config, publicUrlFor } from './config';
import { verifyEncryptionKey } from './crypto/key-check';
import { loadSecretBox } from './crypto/keys';
import { openDatabase, QueryCounter } from './db/data-source';
import { AccountsService } from './domain/accounts';
import { AttemptsService } from './domain/attempts';
import { AuditService } from './domain/audit';
import { AuthorizationsService } from './domain/authorizations';
import { ConnectionsService } from './domain/connections';
import { InvocationsService } from './domain/invocations';
import { Refresher } from './domain/refresher';
import { ExtensionsService } from './domain/extensions';
import { ServiceRegistry } from './domain/service-registry';
import type { Viewer } from './domain/viewer';
import { AuthorizationEvents } from './events/authorization-events';
import { createEventBus } from './events/pubsub';
import { complexityError, complexityLimitPlugin } from './graphql/complexity';
import type { AppServices, GqlContext } from './graphql/context';
import { depthLimit } from './graphql/depth-limit';
import { formatError } from './graphql/errors';
import { buildApiSchema } from './graphql/schema';
import { SESSION_COOKIE, viewerForSocket, viewerFromHeaders } from './http/auth';
import { consoleDir, mountConsole } from './http/console';
import { mountOAuthRoutes } from './http/oauth-routes';
import { mountProxy } from './http/proxy';
import { createMetrics } from './metrics';
import { checkUrlTarget, createGuardedAgent, createGuardedFetch } from './net/guard';
import { createLogger } from './logger';
import { redirectUriFor } from './oauth-urls';
import { mountSandbox, type Sandbox, SANDBOX_PATH } from './sandbox';
import { sandboxOverlay } from './sandbox/catalog';

export interface RunningServer {
  url: string;
  port: number;
  ds: DataSource;
  services: AppServices;
  queryCounter: QueryCounter;
  /** Set on first start when no admin password was configured: print it once, then it is gone. */
  firstAdmin?: { email: string; generatedPassword?: string };
  close(): Promise<void>;
}

export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const queryCounter = new QueryCounter();
  const ds = await openDatabase(config, queryCounter);
  try {
    const box = loadSecretBox(config, logger);
    await verifyEncryptionKey(ds, box, logger);
    return await listen(config, logger, ds, box, queryCounter);
  } catch (e) {
    await ds.destroy();
    throw e;
  }
}

async function listen(
  config: Config,
  logger: Logger,
  ds: DataSource,
  box: ReturnType<typeof loadSecretBox>,
  queryCounter: QueryCounter,
): Promise<RunningServer> {
  const app = express();
  app.set('query parser', 'extended');
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  // The public URL may depend on the port the OS picked (PORT=0), so it is read late.
  let publicUrl = config.publicUrl ?? '';

  const audit = new AuditService(ds);
  const accounts = new AccountsService(ds, audit, config);
  const registry = new ServiceRegistry(
    ds,
    box,
    audit,
    (s) => redirectUriFor(publicUrl, s),
    config.sandbox ? sandboxOverlay(() => publicUrl) : undefined,
  );
  const connections = new ConnectionsService(ds, registry, audit);
  const bus = createEventBus();
  const events = new AuthorizationEvents(audit, bus, logger);
  const attempts = new AttemptsService(ds, box, registry, events, () => publicUrl);
  // Every request to a URL from a service definition (invocations, refreshes, revocations, test requests)
  // goes through one guarded agent: no private or metadata address unless allowed.
  const upstream = createGuardedAgent({
    allowPrivate: config.invocation.allowPrivateNetworks,
    // The sandbox API is this server (often on loopback): only its exact origin is let through.
    trustedOrigin: config.sandbox ? () => publicUrl || undefined : undefined,
  });
  const network = {
    dispatcher: upstream,
    check: (url: URL) => checkUrlTarget(url, config.invocation.allowPrivateNetworks),
  };
  const authorizations = new AuthorizationsService(
    ds,
    box,
    registry,
    connections,
    attempts,
    events,
    logger,
    network,
  );
  const extensions = new ExtensionsService(ds, registry, connections, authorizations, events, audit);
  const metrics = createMetrics(ds);
  const refresher = new Refresher(
    ds,
    box,
    events,
    logger,
    undefined,
    (outcome) => metrics.refreshes.inc({ outcome }),
    createGuardedFetch(upstream, network.check),
  );
  const invocations = new InvocationsService(
    ds,
    box,
    registry,
    connections,
    refresher,
    audit,
    metrics,
    upstream,
    config,
    logger,
    () => publicUrl,
  );
  const services: AppServices = {
    config,
    logger,
    accounts,
    audit,
    registry,
    connections,
    authorizations,
    extensions,
    attempts,
    invocations,
    bus,
  };
  const boot = await accounts.bootstrap(logger);

  const schema = await buildApiSchema();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  // graphql-ws sends errors as graphql-js serialises them, so an AppError would reach the client without its
  // extensions.code (and an unexpected error unmasked): format them as Apollo does over HTTP. Errors with no
  // resolver behind them get the code Apollo would give: validation before execution, bad variables during.
  const formatWsError = formatError(config.graphql.maskErrors, (e) =>
    logger.error({ err: e }, 'unexpected GraphQL error'),
  );
  const wsErrors = (errors: readonly GraphQLError[], codeIfNone: string) =>
    errors.map((e) => {
      const json = e.toJSON();
      if (e.originalError || json.extensions?.code) return formatWsError(json, e);
      return formatWsError({ ...json, extensions: { ...json.extensions, code: codeIfNone } }, e);
    });
  const wsCleanup = useServer<Record<string, unknown>, { viewer?: Viewer | null }>(
    {
      schema,
      // The same depth and cost limits as over HTTP: a query must not escape them by using the socket.
      onSubscribe: (_ctx, _id, payload) => {
        // Errors returned here go out through onError below, which gives them their codes.
        let document;
        try {
          document = parse(payload.query);
        } catch (e) {
          return [new GraphQLError((e as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const invalid = validate(schema, document, [...specifiedRules, depthLimit(config.graphql.maxDepth)]);
        if (invalid.length) return invalid;
        const tooComplex = complexityError(
          schema,
          document,
          config.graphql.maxComplexity,
          payload.operationName,
          payload.variables,
        );
        return tooComplex ? [tooComplex] : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => wsErrors(errors, 'GRAPHQL_VALIDATION_FAILED'),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: wsErrors(result.errors, 'BAD_USER_INPUT') } : undefined,
      // Returning false closes the socket with 4403 Forbidden: a socket without valid credentials gets nothing.
      onConnect: async (ctx) => {
        const viewer = await viewerForSocket(accounts, ctx.connectionParams, ctx.extra.request);
        if (!viewer) return false;
        (ctx.extra as { viewer?: Viewer }).viewer = viewer;
        return true;
      },
      context: (ctx): GqlContext => ({
        viewer: (ctx.extra as { viewer?: Viewer }).viewer ?? null,
        app: services,
      }),
    },
    wsServer,
  );

  const secureCookie = (config.publicUrl ?? '').startsWith('https:');
  const apollo = new ApolloServer<GqlContext>({
    schema,
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimit(config.graphql.maxDepth)],
    formatError: formatError(config.graphql.maskErrors, (e) =>
      logger.error({ err: e }, 'unexpected GraphQL error'),
    ),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No HTTP cache hints on an authenticated API; the plugin would otherwise wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      complexityLimitPlugin(schema, config.graphql.maxComplexity),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await ds.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GqlContext> => ({
        viewer: await viewerFromHeaders(accounts, req.headers),
        app: services,
        session: {
          set: (token, expiresAt) =>
            res.cookie(SESSION_COOKIE, token, {
              httpOnly: true,
              sameSite: 'lax',
              secure: secureCookie,
              expires: expiresAt,
              path: '/',
            }),
          clear: () =>
            res.clearCookie(SESSION_COOKIE, {
              httpOnly: true,
              sameSite: 'lax',
              secure: secureCookie,
              path: '/',
            }),
        },
      }),
    }),
  );
  mountOAuthRoutes(app, {
    accounts,
    attempts,
    publicUrl: () => publicUrl,
    sessionSecret: box.deriveSecret('oauth-session'),
    logger,
  });
  mountProxy(app, { accounts, invocations, maxResponseBytes: config.invocation.maxResponseBytes });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const sandbox: Sandbox | undefined = config.sandbox ? mountSandbox(app, { accounts, logger }) : undefined;
  mountConsole(app, consoleDir(config.consoleDir));
  // Last: Express's default handler answers an unreadable body (malformed JSON, over the size limit) with an
  // HTML page and a stack trace. Answer like the GraphQL layer: a code and a fixed message. body-parser's own
  // message is not echoed: it quotes the body, which may hold a secret.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
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
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  publicUrl = publicUrlFor(config, port);
  if (sandbox) {
    try {
      await sandbox.start(publicUrl, redirectUriFor(publicUrl, { authType: 'OAUTH2' })!);
    } catch (e) {
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      throw e;
    }
    logger.info({ url: `${publicUrl}${SANDBOX_PATH}` }, 'The sandbox is on (CONNECTIONS_SANDBOX)');
  }
  logger.info({ url: publicUrl, database: config.database.type }, 'Connections is listening');

  let closing: Promise<void> | undefined;
  return {
    url: publicUrl,
    port,
    ds,
    services,
    queryCounter,
    firstAdmin: boot.created ? { email: boot.email, generatedPassword: boot.generatedPassword } : undefined,
    close: () =>
      (closing ??= (async () => {
        // The sandbox's child process first: with it still running, apollo.stop() after SIGTERM never
        // resolved (seen with `node dist/main.js`; the programmatic close in tests was unaffected).
        await sandbox?.close();
        // Apollo's drain plugin stops accepting connections and waits for in-flight requests.
        await apollo.stop();
        wsServer.close();
        await upstream.close();
        await ds.destroy();
      })()),
  };
}
