import { z } from 'zod';

// The one schema of the environment: configuration is parsed once at start-up (config.ts); a bad value stops
// the process with a message naming it. `.env.example` lists every variable.
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envSchema = z.object({
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
  // The invocation hot path (issue 15): resolved connections and credentials kept in process, exact eviction
  // through the invalidation channel; the DNS answers of upstream hosts; invocation audit rows written behind.
  CONNECTIONS_INVOCATION_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(30),
  CONNECTIONS_DNS_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(30),
  CONNECTIONS_AUDIT_FLUSH_MS: z.coerce.number().int().min(1).max(60_000).default(100),
  // Token refresh: the backoff after a transient failure, and the background refresh (opt-out).
  CONNECTIONS_REFRESH_BACKOFF_BASE_SECONDS: z.coerce.number().min(0.1).max(3600).default(1),
  CONNECTIONS_REFRESH_BACKOFF_MAX_SECONDS: z.coerce.number().min(1).max(86_400).default(300),
  CONNECTIONS_BACKGROUND_REFRESH: bool.default(true),
  CONNECTIONS_BACKGROUND_REFRESH_INTERVAL_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  CONNECTIONS_BACKGROUND_REFRESH_BATCH: z.coerce.number().int().min(1).max(1000).default(50),
  CONNECTIONS_BACKGROUND_REFRESH_RECENT_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  CONNECTIONS_SANDBOX: bool.optional(),
  CONNECTIONS_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
});

export type Env = z.infer<typeof envSchema>;
