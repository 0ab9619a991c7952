import path from 'node:path';
import { z } from 'zod';

// Configuration is parsed once at start-up; a bad value stops the process with a message naming it.
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
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
  CONNECTIONS_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  CONNECTIONS_AUTH_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(10),
  CONNECTIONS_CONSOLE_DIR: z.string().optional(),
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
  graphql: { maxDepth: number; maxComplexity: number; introspection: boolean; maskErrors: boolean };
  shutdownTimeoutMs: number;
  /** How long a resolved API token or session is remembered in-process (revocation here evicts at once). */
  authCacheMs: number;
  consoleDir: string | undefined;
  invocation: { allowPrivateNetworks: boolean; timeoutMs: number; maxResponseBytes: number };
  /** Serve the offline sandbox (OAuth 2.0 / 1.0a providers and a contacts API) under /sandbox. */
  sandbox: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const dataDir = path.resolve(e.CONNECTIONS_DATA_DIR);
  let database: Config['database'];
  if (!e.DATABASE_URL) database = { type: 'sqlite', file: path.join(dataDir, 'connections.sqlite') };
  else if (e.DATABASE_URL.startsWith('sqlite:'))
    database = {
      type: 'sqlite',
      file: path.resolve(e.DATABASE_URL.slice('sqlite:'.length).replace(/^\/\//, '')),
    };
  else database = { type: 'postgres', url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA };
  // SQLite is one process's file: a second replica would be a second database, not a replica.
  if (e.REDIS_URL && database.type === 'sqlite')
    throw new ConfigError(
      "Invalid configuration:\n  REDIS_URL: several replicas need a shared PostgreSQL database; set DATABASE_URL=postgres://... (SQLite is one process's file)",
    );
  if (production && !e.CONNECTIONS_ENCRYPTION_KEY)
    throw new ConfigError(
      'Invalid configuration:\n  CONNECTIONS_ENCRYPTION_KEY: required when NODE_ENV=production',
    );
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
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
      introspection: e.GRAPHQL_INTROSPECTION ?? !production,
      maskErrors: production,
    },
    shutdownTimeoutMs: e.CONNECTIONS_SHUTDOWN_TIMEOUT_MS,
    authCacheMs: e.CONNECTIONS_AUTH_CACHE_SECONDS * 1000,
    consoleDir: e.CONNECTIONS_CONSOLE_DIR,
    invocation: {
      allowPrivateNetworks: e.CONNECTIONS_ALLOW_PRIVATE_NETWORKS,
      timeoutMs: e.CONNECTIONS_UPSTREAM_TIMEOUT_MS,
      maxResponseBytes: e.CONNECTIONS_MAX_RESPONSE_BYTES,
    },
    // On by default in development only: `npm start` after cloning must work offline, and a production
    // deployment must not grow a toy authorization server unless asked.
    sandbox: e.CONNECTIONS_SANDBOX ?? e.NODE_ENV === 'development',
  };
}

/** The public URL once the listening port is known (PORT=0 in tests picks an ephemeral one). */
export function publicUrlFor(config: Config, port: number): string {
  return config.publicUrl ?? `http://localhost:${port}`;
}
