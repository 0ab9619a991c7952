import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../config';
import { MembershipRow, UserRow, WorkspaceRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { Role } from '../db/entities/membership';
import { hashPassword } from '../domain/secrets';
import { createLogger } from '../logger';
import { type RunningServer, startServer } from '../server';
import { watchedClient } from './bus-watch';

export type DatabaseKind = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when DATABASE_URL points at one (CI sets it). */
export function databases(): DatabaseKind[] {
  return process.env.DATABASE_URL?.startsWith('postgres') ? ['sqlite', 'postgres'] : ['sqlite'];
}

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'admin-password-123';
/** CONNECTIONS_METRICS_TOKEN of every test server: GET /metrics answers only with it. */
export const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, any> }[];
  headers: Headers;
  raw: string;
}

export interface Auth {
  token?: string;
  cookie?: string;
}

export interface TestServer {
  url: string;
  server: RunningServer;
  db: DatabaseKind;
  dataDir: string;
  env: Record<string, string>;
  /** Every response body this server sent to the test, for secret scans. */
  transcript: string[];
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    auth?: Auth,
  ): Promise<GqlResult<T>>;
  signIn(email: string, password: string): Promise<Auth>;
  adminAuth(): Promise<Auth>;
  ws(auth?: Auth | Record<string, unknown>): WsClient;
  /** GET /metrics with the metrics token: the Prometheus text. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /**
   * Start a replica of that server: same database (SQLite file or PostgreSQL schema), same encryption key,
   * and its URL as PUBLIC_URL (the address a balancer would give both). The replica's `url` is its own port;
   * closing it leaves the database to the first server.
   */
  replicaOf?: TestServer;
  /** false: no background job (webhook polling, sweeps) runs, for tests that count the statements a request makes. */
  backgroundJobs?: boolean;
}

/**
 * Starts the real server on an ephemeral port with a fresh database: a temporary SQLite file, or a new
 * PostgreSQL schema that is dropped afterwards.
 */
export async function startTestServer(
  db: DatabaseKind = 'sqlite',
  extraEnv: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const primary = options.replicaOf;
  if (primary && primary.db !== db) throw new Error('a replica runs on its primary database kind');
  const dataDir = primary?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-test-'));
  const schema = primary?.env.DATABASE_SCHEMA ?? `t_${randomBytes(6).toString('hex')}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CONNECTIONS_DATA_DIR: dataDir,
    CONNECTIONS_ENCRYPTION_KEY: primary?.env.CONNECTIONS_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    CONNECTIONS_ADMIN_EMAIL: ADMIN_EMAIL,
    CONNECTIONS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CONNECTIONS_METRICS_TOKEN: METRICS_TOKEN,
    // Off unless a test asks: a run at a random moment would add token requests to tests that count them.
    CONNECTIONS_BACKGROUND_REFRESH: 'false',
    ...(db === 'postgres' ? { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: schema } : {}),
    ...(primary ? { PUBLIC_URL: primary.url } : {}),
    ...extraEnv,
  };
  const config = loadConfig(env);
  const server = await startServer(config, {
    logger: createLogger('silent'),
    backgroundJobs: options.backgroundJobs,
  });
  // A replica's public URL is its primary's: the test talks to the replica on its own port.
  const ownUrl = new URL(server.url);
  if (primary) ownUrl.port = String(server.port);
  const url = primary ? ownUrl.origin : server.url;
  const transcript: string[] = [];
  let adminAuth: Auth | undefined;

  const gql: TestServer['gql'] = async (query, variables, auth) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
    if (auth?.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth?.cookie) headers.cookie = auth.cookie;
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const raw = await res.text();
    transcript.push(raw, res.headers.get('set-cookie') ?? '');
    const body = JSON.parse(raw);
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers, raw };
  };

  const signIn = async (email: string, password: string): Promise<Auth> => {
    const r = await gql('mutation($i: SignInInput!) { signIn(input: $i) { user { id } } }', {
      i: { email, password },
    });
    const setCookie = r.headers.get('set-cookie');
    if (!setCookie || r.errors) throw new Error(`sign-in failed: ${r.raw}`);
    return { cookie: setCookie.split(';')[0]! };
  };

  return {
    url,
    server,
    db,
    dataDir,
    env,
    transcript,
    gql,
    signIn,
    adminAuth: async () => (adminAuth ??= await signIn(ADMIN_EMAIL, ADMIN_PASSWORD)),
    metrics: async () => {
      const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
      return res.text();
    },
    ws: (auth) =>
      watchedClient(
        createClient({
          url: url.replace(/^http/, 'ws') + '/graphql',
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          lazy: true,
          connectionParams:
            auth && 'token' in auth && auth.token
              ? { authorization: `Bearer ${auth.token}` }
              : (auth as Record<string, unknown> | undefined),
        }),
        server,
      ),
    close: async () => {
      await server.close();
      if (primary) return;
      if (db === 'postgres') {
        const client = new Client({ connectionString: process.env.DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A second workspace with its own admin (or member), written straight to the database: a builder for isolation tests. */
export async function seedWorkspaceWithUser(
  t: TestServer,
  opts: { email: string; password: string; role?: Role; workspaceName?: string },
): Promise<{ workspaceId: string; userId: string }> {
  const ds = t.server.ds;
  const workspace = await ds
    .getRepository(WorkspaceRow)
    .save({ id: newId(), name: opts.workspaceName ?? 'Other workspace' });
  const user = await ds.getRepository(UserRow).save({
    id: newId(),
    email: opts.email,
    displayName: opts.email.split('@')[0]!,
    passwordHash: await hashPassword(opts.password),
  });
  await ds
    .getRepository(MembershipRow)
    .save({ id: newId(), workspaceId: workspace.id, userId: user.id, role: opts.role ?? 'ADMIN' });
  return { workspaceId: workspace.id, userId: user.id };
}

/** Adds a member to the first workspace through the API, as its admin, and signs them in. */
export async function addMember(
  t: TestServer,
  email: string,
  role: Role = 'MEMBER',
): Promise<{ auth: Auth; userId: string }> {
  const password = `pw-${email}-long-enough`;
  const r = await t.gql(
    'mutation($i: AddMemberInput!) { addMember(input: $i) { user { id } } }',
    { i: { email, password, role } },
    await t.adminAuth(),
  );
  if (r.errors) throw new Error(r.raw);
  return { auth: await t.signIn(email, password), userId: r.data!.addMember.user.id };
}
