import 'reflect-metadata';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { type Cluster, startCluster } from './cluster';
import { buildServices } from './compose';
import { type Config, publicUrlFor } from './config';
import { verifyEncryptionKey } from './crypto/key-check';
import { loadSecretBox } from './crypto/keys';
import type { SecretBox } from './crypto/secret-box';
import { openDatabase, prepareDatabase, QueryCounter } from './db/data-source';
import type { AppServices } from './graphql/context';
import { type GraphqlHttpDeps, type GraphqlHttpHandler, graphqlHttpHandler } from './graphql/http-handler';
import { startApollo } from './graphql/http-server';
import type { PreparedOperations } from './graphql/prepared-operations';
import { buildApiSchema } from './graphql/schema';
import { startGraphqlWs } from './graphql/ws-server';
import type { ProxyHandler } from './http/proxy';
import { mountRoutes } from './http/routes';
import { type HeaderList, recordHeaders, replayedHeaders } from './http/fixed-headers';
import { securityHeaders } from './http/security-headers';
import { createLogger } from './logger';
import { redirectUriFor } from './oauth-urls';
import { type Sandbox, SANDBOX_PATH } from './sandbox';
import { scheduleEventRetention } from './domain/event-retention';
import { scheduleWebhookDelivery } from './domain/webhook-scheduler';
import { type BackgroundRefresh, scheduleBackgroundRefresh } from './domain/background-refresh';
import { scheduleUnfinishedCleanup } from './domain/unfinished-connections';

export interface RunningServer {
  url: string;
  port: number;
  ds: DataSource;
  services: AppServices;
  queryCounter: QueryCounter;
  /** The GraphQL operations run without Apollo's per-request pipeline (graphql/prepared-operations.ts). */
  prepared: PreparedOperations;
  /** The background token refresh (null when CONNECTIONS_BACKGROUND_REFRESH=false); scheduled on its own. */
  backgroundRefresh: BackgroundRefresh | null;
  /** Set on first start when no admin password was configured: print it once, then it is gone. */
  firstAdmin?: { email: string; generatedPassword?: string };
  close(): Promise<void>;
}

/** `backgroundJobs: false` (tests that count statements): no timer runs a job beside the requests. */
export async function startServer(
  config: Config,
  options: { logger?: Logger; backgroundJobs?: boolean } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const queryCounter = new QueryCounter();
  const ds = await openDatabase(config, queryCounter);
  let cluster: Cluster | undefined;
  try {
    const box = loadSecretBox(config, logger);
    cluster = await startCluster(config, logger);
    return await listen(config, logger, { ds, box, queryCounter, cluster }, options.backgroundJobs ?? true);
  } catch (e) {
    await cluster?.close();
    await ds.destroy();
    throw e;
  }
}

interface Opened {
  ds: DataSource;
  box: SecretBox;
  queryCounter: QueryCounter;
  cluster: Cluster;
}

async function listen(
  config: Config,
  logger: Logger,
  opened: Opened,
  withJobs: boolean,
): Promise<RunningServer> {
  const { ds, box, queryCounter, cluster } = opened;
  // The public URL may depend on the port the OS picked (PORT=0), so it is read late.
  let publicUrl = config.publicUrl ?? '';
  const headers = securityHeaders(config.publicUrl, () => publicUrl);
  const app = expressApp(config, headers);
  const { httpServer, serveFirst } = httpServerFor(app);
  const composed = buildServices(config, logger, ds, box, () => publicUrl, cluster);
  const { services, metrics, upstream } = composed;
  const boot = await prepareDatabase(config, ds, async () => {
    await verifyEncryptionKey(ds, box, logger);
    await composed.tokenRefresh.backfill();
    return services.accounts.bootstrap(logger);
  });
  const schema = await buildApiSchema();
  // The socket server comes first: Apollo's drain hook disposes it.
  const ws = startGraphqlWs(httpServer, schema, services);
  const { apollo, prepared } = await startApollo(httpServer, schema, services, ws);
  const graphql = graphqlHandlerFor(app, headers, { apollo, prepared, services });
  const { sandbox, proxy } = mountRoutes(app, {
    services,
    databaseReady: async () => void (await ds.query('SELECT 1')),
    metrics,
    publicUrl: () => publicUrl,
    oauthSessionSecret: box.deriveSecret('oauth-session'),
    securityHeaders: headers,
  });
  serveFirst(graphql, proxy);
  const port = await listenOn(httpServer, config);
  publicUrl = publicUrlFor(config, port);
  if (sandbox) await startSandbox(sandbox, httpServer, publicUrl, logger);
  const jobs = withJobs ? scheduleJobs(config, logger, composed) : { stop: async () => {} };
  logger.info({ url: publicUrl, database: config.database.type }, 'Connections is listening');
  return {
    url: publicUrl,
    port,
    ds,
    services,
    queryCounter,
    prepared,
    backgroundRefresh: composed.tokenRefresh.background,
    firstAdmin: boot.created ? { email: boot.email, generatedPassword: boot.generatedPassword } : undefined,
    close: once(() => shutDown({ sandbox, apollo, ws, jobs, upstream, cluster, services, ds })),
  };
}

/** Stops everything listen() started, in the order that loses nothing. */
async function shutDown(parts: {
  sandbox: Sandbox | undefined;
  apollo: { stop(): Promise<void> };
  ws: { close(): void };
  jobs: { stop(): Promise<void> };
  upstream: { close(): Promise<void> };
  cluster: Cluster;
  services: AppServices;
  ds: DataSource;
}): Promise<void> {
  // The sandbox's child process first: with it still running, apollo.stop() after SIGTERM never resolved
  // (seen with `node dist/main.js`; the programmatic close in tests was unaffected).
  await parts.sandbox?.close();
  // Apollo's drain plugin stops accepting connections and waits for in-flight requests.
  await parts.apollo.stop();
  parts.ws.close();
  // Before the dispatcher closes: a batch being sent finishes and records its outcome.
  await parts.jobs.stop();
  await parts.upstream.close();
  await parts.cluster.close();
  // Last before the database closes: the invocation audit rows still queued (write-behind) go in.
  await parts.services.audit.close();
  await parts.ds.destroy();
}

/**
 * The background jobs every replica runs (each safe with several replicas): event retention, webhook delivery,
 * background token refresh (unless turned off) and the cleanup of connections that were never finished.
 */
function scheduleJobs(config: Config, logger: Logger, composed: ReturnType<typeof buildServices>) {
  const { services } = composed;
  const { background } = composed.tokenRefresh;
  const jobs = [
    scheduleEventRetention(services.eventLog, logger),
    scheduleWebhookDelivery(composed.webhookSender, logger),
    background && scheduleBackgroundRefresh(background, logger, config.refresh.background!.intervalMs),
    scheduleUnfinishedCleanup(services.attempts.unfinished, logger),
  ];
  return { stop: async () => void (await Promise.all(jobs.map((j) => j && j.stop()))) };
}

/**
 * The HTTP server: the lean handlers of the hot paths first, /graphql (graphql/http-handler.ts) and /proxy
 * (http/proxy.ts), once they are built; the Express app for everything else.
 */
function httpServerFor(app: express.Express) {
  let graphql: GraphqlHttpHandler | undefined;
  let proxy: ProxyHandler | undefined;
  const httpServer = http.createServer((req, res) => {
    if (!graphql?.(req, res) && !proxy?.(req, res)) app(req, res);
  });
  const serveFirst = (g: GraphqlHttpHandler, p: ProxyHandler) => {
    graphql = g;
    proxy = p;
  };
  return { httpServer, serveFirst };
}

/** /graphql's handler, with the app's security headers and its rule for the client's address (req.ip). */
function graphqlHandlerFor(
  app: express.Express,
  headers: express.RequestHandler,
  deps: Pick<GraphqlHttpDeps, 'apollo' | 'prepared' | 'services'>,
): GraphqlHttpHandler {
  let recorded: HeaderList | undefined;
  return graphqlHttpHandler({
    ...deps,
    // Recorded on the first request, once the public URL is known (as replayedHeaders does for the app).
    securityHeaders: () => (recorded ??= recordHeaders(headers)),
    trustProxy: app.get('trust proxy fn'),
  });
}

/** The first call runs `fn`; every later call gets the same promise (close() may be called twice). */
function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

function expressApp(config: Config, headers: express.RequestHandler): express.Express {
  const app = express();
  app.set('query parser', 'extended');
  // req.ip: the TCP peer, or the client a trusted proxy names in X-Forwarded-For (CONNECTIONS_TRUST_PROXY).
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // First, so that every response (GraphQL, routes, console, errors) carries the security headers.
  // Recorded once and replayed: helmet would build the same headers again on every request.
  app.use(replayedHeaders(headers));
  return app;
}

/** Resolves with the port listened on: the configured one, or the one the OS picked for PORT=0. */
async function listenOn(httpServer: http.Server, config: Config): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  return (httpServer.address() as AddressInfo).port;
}

/** The sandbox's OAuth server needs the public URL, so it starts after listen; if it fails, so does start-up. */
async function startSandbox(sandbox: Sandbox, httpServer: http.Server, publicUrl: string, logger: Logger) {
  try {
    await sandbox.start(publicUrl, redirectUriFor(publicUrl, { authType: 'OAUTH2' })!);
  } catch (e) {
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    throw e;
  }
  logger.info({ url: `${publicUrl}${SANDBOX_PATH}` }, 'The sandbox is on (CONNECTIONS_SANDBOX)');
}
