import path from 'node:path';
import { z } from 'zod';

// Configuration is parsed once at start-up; a bad value stops the process with a message naming it.
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  // Unset: 127.0.0.1 outside production, 0.0.0.0 in production (see `exposure` below).
  HOST: z.string().min(1).optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  CONNECTIONS_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?|sqlite):/, 'must start with postgres://, postgresql:// or sqlite:')
    .optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  CONNECTIONS_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 letters, digits, _ . : -')
    .default('cnx'),
  CONNECTIONS_ENCRYPTION_KEY: z.string().optional(),
  CONNECTIONS_PREVIOUS_ENCRYPTION_KEYS: z.string().optional(),
  CONNECTIONS_ADMIN_EMAIL: z.email().default('admin@example.com'),
  CONNECTIONS_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  CONNECTIONS_WORKSPACE_NAME: z.string().min(1).max(80).default('My workspace'),
  CONNECTIONS_SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 7),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(10).default(5000),
  GRAPHQL_INTROSPECTION: bool.optional(),
  GRAPHQL_MAX_FIELDS: z.coerce.number().int().min(10).default(500),
  GRAPHQL_WS_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).max(16_777_216).default(262_144),
  GRAPHQL_WS_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(10_000),
  GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
  GRAPHQL_WS_INIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  GRAPHQL_WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).default(20),
  CONNECTIONS_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  CONNECTIONS_AUTH_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(10),
  CONNECTIONS_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // At least the 10 s send time limit plus a margin: a shorter lease lets a second replica send a delivery
  // that a live one is still waiting on.
  CONNECTIONS_WEBHOOK_LEASE_SECONDS: z.coerce.number().int().min(15).max(3600).default(60),
  CONNECTIONS_CONSOLE_DIR: z.string().optional(),
  // Which X-Forwarded-For hops to believe for the client address (Express `trust proxy`): a hop count or the
  // proxies' addresses / CIDRs. `true` would believe whatever a client sends, so it is not accepted.
  CONNECTIONS_TRUST_PROXY: z
    .string()
    .regex(
      /^(false|\d{1,2}|[\w:./]+(\s*,\s*[\w:./]+)*)$/,
      "a hop count, or the proxies' addresses or CIDRs, comma-separated",
    )
    .refine((v) => v !== 'true', 'name the hop count or the proxies\' addresses: "true" trusts any client')
    .transform((v) => (v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(/\s*,\s*/)))
    .optional(),
  CONNECTIONS_METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (openssl rand -hex 32)')
    .optional(),
  CONNECTIONS_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  CONNECTIONS_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(40_000),
  CONNECTIONS_SANDBOX: bool.optional(),
  CONNECTIONS_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
});

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
  invocation: { allowPrivateNetworks: boolean; timeoutMs: number; maxResponseBytes: number };
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
  const parsed = schema.safeParse(cleaned);
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
    },
    // On by default in development only: `npm start` after cloning must work offline, and a production
    // deployment must not grow a toy authorization server unless asked. Never on a reachable development
    // server: its client secrets are published and its origin is exempt from the address policy.
    sandbox: exposed ? false : (e.CONNECTIONS_SANDBOX ?? e.NODE_ENV === 'development'),
    metricsToken: e.CONNECTIONS_METRICS_TOKEN,
    notices: exposed ? [exposureNotice(e.NODE_ENV, exposed, e.CONNECTIONS_SANDBOX)] : [],
  };
}

type Env = z.infer<typeof schema>;

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
