import path from 'node:path';
import { type Env, envSchema } from './config-env';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string | undefined;
  dataDir: string;
  database: { type: 'sqlite'; file: string } | { type: 'postgres'; url: string; schema?: string };
  /**
   * Set: several replicas share PostgreSQL (state) and Redis (fan-out, invalidation, counters). Unset: one
   * process with in-memory equivalents behind the same interfaces.
   */
  redis: { url: string; prefix: string } | undefined;
  encryptionKey: string | undefined;
  previousEncryptionKeys: string[];
  admin: { email: string; password: string | undefined };
  workspaceName: string;
  sessionTtlMs: number;
  logLevel: string;
  graphql: {
    maxDepth: number;
    maxComplexity: number;
    maxFields: number;
    introspection: boolean;
    maskErrors: boolean;
  };
  /** graphql-ws: frame size, sockets per client address and in all, init wait, operations per socket. */
  graphqlWs: {
    maxPayloadBytes: number;
    maxConnections: number;
    maxConnectionsPerAddress: number;
    initTimeoutMs: number;
    maxSubscriptions: number;
  };
  shutdownTimeoutMs: number;
  /** How long a resolved API token or session is remembered in-process (revocation here evicts at once). */
  authCacheMs: number;
  /** How long authorization events stay in the event log (replay, authorizationEventsPage). */
  eventRetentionMs: number;
  /** How long a claimed webhook delivery stays its sender's before another replica may send it again. */
  webhookLeaseMs: number;
  consoleDir: string | undefined;
  /** Express `trust proxy`: false reads the client address from the TCP peer (see README "Security"). */
  trustProxy: false | number | string[];
  /** planCacheMs: a resolved connection and credentials reused (evicted on change); dnsCacheMs: DNS answers. */
  invocation: { allowPrivateNetworks: boolean; timeoutMs: number; maxResponseBytes: number } & {
    planCacheMs: number;
    dnsCacheMs: number;
  };
  /** Invocation audit rows are written in batches at most this long after the call (write-behind). */
  auditFlushMs: number;
  /** Token refresh: the backoff after a transient failure, and the background refresh (null: opted out). */
  refresh: ReturnType<typeof refreshConfig>;
  /** Serve the offline sandbox (OAuth 2.0 / 1.0a providers and a contacts API) under /sandbox. */
  sandbox: boolean;
  /** The bearer token GET /metrics asks for; unset, /metrics is off. */
  metricsToken: string | undefined;
  /** Warnings to print at start-up: development defaults turned off because this server is reachable. */
  notices: string[];
}

export class ConfigError extends Error {}

function parseEnv(env: NodeJS.ProcessEnv) {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(env);
  const production = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.CONNECTIONS_DATA_DIR);
  const database = databaseOf(e, dataDir);
  const host = e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1');
  const exposed = production ? undefined : exposure(host, e.PUBLIC_URL);
  // Development conveniences stay on only where nobody else can reach them (see `exposure`).
  const guarded = production || exposed !== undefined;
  refuseCombinations(e, database);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    dataDir,
    database,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.CONNECTIONS_REDIS_PREFIX } : undefined,
    encryptionKey: e.CONNECTIONS_ENCRYPTION_KEY,
    previousEncryptionKeys: (e.CONNECTIONS_PREVIOUS_ENCRYPTION_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    admin: { email: e.CONNECTIONS_ADMIN_EMAIL.toLowerCase(), password: e.CONNECTIONS_ADMIN_PASSWORD },
    workspaceName: e.CONNECTIONS_WORKSPACE_NAME,
    sessionTtlMs: e.CONNECTIONS_SESSION_TTL_HOURS * 3600_000,
    logLevel: e.LOG_LEVEL,
    ...graphqlConfig(e, guarded),
    shutdownTimeoutMs: e.CONNECTIONS_SHUTDOWN_TIMEOUT_MS,
    authCacheMs: e.CONNECTIONS_AUTH_CACHE_SECONDS * 1000,
    eventRetentionMs: e.CONNECTIONS_EVENT_RETENTION_DAYS * 86_400_000,
    webhookLeaseMs: e.CONNECTIONS_WEBHOOK_LEASE_SECONDS * 1000,
    consoleDir: e.CONNECTIONS_CONSOLE_DIR,
    trustProxy: e.CONNECTIONS_TRUST_PROXY ?? false,
    invocation: {
      allowPrivateNetworks: e.CONNECTIONS_ALLOW_PRIVATE_NETWORKS,
      timeoutMs: e.CONNECTIONS_UPSTREAM_TIMEOUT_MS,
      maxResponseBytes: e.CONNECTIONS_MAX_RESPONSE_BYTES,
      planCacheMs: e.CONNECTIONS_INVOCATION_CACHE_SECONDS * 1000,
      dnsCacheMs: e.CONNECTIONS_DNS_CACHE_SECONDS * 1000,
    },
    auditFlushMs: e.CONNECTIONS_AUDIT_FLUSH_MS,
    refresh: refreshConfig(e),
    // On by default in development only: `npm start` after cloning must work offline, and a production
    // deployment must not grow a toy authorization server unless asked. Never on a reachable development
    // server: its client secrets are published and its origin is exempt from the address policy.
    sandbox: exposed ? false : (e.CONNECTIONS_SANDBOX ?? e.NODE_ENV === 'development'),
    metricsToken: e.CONNECTIONS_METRICS_TOKEN,
    notices: exposed ? [exposureNotice(e.NODE_ENV, exposed, e.CONNECTIONS_SANDBOX)] : [],
  };
}

/** The GraphQL limits, over HTTP and over the socket; introspection and unmasked errors only where unguarded. */
function graphqlConfig(e: Env, guarded: boolean) {
  return {
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxComplexity: e.GRAPHQL_MAX_COMPLEXITY,
      maxFields: e.GRAPHQL_MAX_FIELDS,
      introspection: e.GRAPHQL_INTROSPECTION ?? !guarded,
      maskErrors: guarded,
    },
    graphqlWs: {
      maxPayloadBytes: e.GRAPHQL_WS_MAX_PAYLOAD_BYTES,
      maxConnections: e.GRAPHQL_WS_MAX_CONNECTIONS,
      maxConnectionsPerAddress: e.GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS,
      initTimeoutMs: e.GRAPHQL_WS_INIT_TIMEOUT_MS,
      maxSubscriptions: e.GRAPHQL_WS_MAX_SUBSCRIPTIONS,
    },
  };
}

/** The background refresh: authorizations used within `recentMs`, at most `batch` per run, every `intervalMs`. */
function refreshConfig(e: Env) {
  const backoff = { baseMs: e.CONNECTIONS_REFRESH_BACKOFF_BASE_SECONDS * 1000 };
  const intervalMs = e.CONNECTIONS_BACKGROUND_REFRESH_INTERVAL_SECONDS * 1000;
  const recentMs = e.CONNECTIONS_BACKGROUND_REFRESH_RECENT_MINUTES * 60_000;
  return {
    backoff: { ...backoff, capMs: e.CONNECTIONS_REFRESH_BACKOFF_MAX_SECONDS * 1000 },
    background: e.CONNECTIONS_BACKGROUND_REFRESH
      ? { intervalMs, batch: e.CONNECTIONS_BACKGROUND_REFRESH_BATCH, recentMs }
      : null,
  };
}

function refuseCombinations(e: Env, database: Config['database']): void {
  // SQLite is one process's file: a second replica would be a second database, not a replica.
  if (e.REDIS_URL && database.type === 'sqlite')
    throw new ConfigError(
      "Invalid configuration:\n  REDIS_URL: several replicas need a shared PostgreSQL database; set DATABASE_URL=postgres://... (SQLite is one process's file)",
    );
  if (e.NODE_ENV === 'production' && !e.CONNECTIONS_ENCRYPTION_KEY)
    throw new ConfigError(
      'Invalid configuration:\n  CONNECTIONS_ENCRYPTION_KEY: required when NODE_ENV=production',
    );
}

function databaseOf(e: Env, dataDir: string): Config['database'] {
  if (!e.DATABASE_URL) return { type: 'sqlite', file: path.join(dataDir, 'connections.sqlite') };
  if (e.DATABASE_URL.startsWith('sqlite:'))
    return {
      type: 'sqlite',
      file: path.resolve(e.DATABASE_URL.slice('sqlite:'.length).replace(/^\/\//, '')),
    };
  return { type: 'postgres', url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA };
}

/** Reachable from this machine only: `localhost` and its subdomains (RFC 6761 6.3), 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Outside production, what makes this server reachable from other machines, if anything: a HOST or a
 * PUBLIC_URL off loopback. Without NODE_ENV=production that is most likely a forgotten setting, and the
 * development defaults (the sandbox, introspection, unmasked errors) must not be served to a network.
 */
function exposure(host: string, publicUrl: string | undefined): string | undefined {
  if (!isLoopbackHost(host)) return `HOST=${host}`;
  if (publicUrl && !isLoopbackHost(new URL(publicUrl).hostname)) return `PUBLIC_URL=${publicUrl}`;
  return undefined;
}

function exposureNotice(env: string, exposed: string, sandboxAsked: boolean | undefined): string {
  return (
    `NODE_ENV=${env} with ${exposed}, which is not a loopback address: ` +
    `${sandboxAsked ? 'CONNECTIONS_SANDBOX=true is refused and ' : ''}` +
    'the sandbox, GraphQL introspection and unmasked errors are off. ' +
    'Set NODE_ENV=production to deploy, or leave HOST and PUBLIC_URL unset to develop on this machine.'
  );
}

/** The public URL once the listening port is known (PORT=0 in tests picks an ephemeral one). */
export function publicUrlFor(config: Config, port: number): string {
  return config.publicUrl ?? `http://localhost:${port}`;
}
