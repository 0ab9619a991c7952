import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'admin-password-123';
const CONSOLE_DIR = path.resolve(__dirname, '../../dist');

export interface ApiServer {
  url: string;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    cookie?: string,
  ): Promise<T>;
  signIn(email: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

/** The built API and console on an ephemeral port with a fresh SQLite database, as `npm start` runs them. */
export async function startApi(
  options: { env?: Record<string, string>; allowPrivateNetworks?: boolean } = {},
): Promise<ApiServer> {
  if (!fs.existsSync(path.join(CONSOLE_DIR, 'index.html')))
    throw new Error(`The console is not built (${CONSOLE_DIR}): run \`npx turbo run build\` first.`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-e2e-'));
  // SQLite and in-memory pub/sub: the console's journey needs no PostgreSQL or Redis even where CI sets them.
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'api-server.cjs')], {
    env: {
      ...inherited,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      CONNECTIONS_DATA_DIR: dataDir,
      CONNECTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CONNECTIONS_ADMIN_EMAIL: ADMIN_EMAIL,
      CONNECTIONS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // The OAuth provider and the upstream API of the test listen on loopback.
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: String(options.allowPrivateNetworks ?? true),
      CONNECTIONS_CONSOLE_DIR: CONSOLE_DIR,
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the API did not start: ${stderr}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API exited with ${code}: ${stderr}`));
    });
  });

  async function post(query: string, variables: Record<string, unknown> = {}, cookie?: string) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return { data: body.data, res };
  }
  return {
    url,
    gql: async <T>(query: string, variables?: Record<string, unknown>, cookie?: string) =>
      (await post(query, variables, cookie)).data as T,
    async signIn(email, password) {
      const { res } = await post('mutation($i: SignInInput!) { signIn(input: $i) { role } }', {
        i: { email, password },
      });
      return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          fs.rmSync(dataDir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

export interface Upstream {
  url: string;
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** A loopback third-party API for "Try a request": answers JSON describing what it received. */
export async function startUpstream(): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'e2e' });
      res.end(
        JSON.stringify({ ok: true, method: req.method, path: req.url, gotKey: !!req.headers['x-api-key'] }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
