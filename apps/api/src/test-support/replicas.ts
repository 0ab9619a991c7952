import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { type Balancer, startBalancer } from './balancer';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './server';
import { waitFor } from './wait';

/** Replica tests need both engines: CI sets DATABASE_URL (PostgreSQL) and REDIS_URL; a laptop skips them. */
export function clusterAvailable(): boolean {
  return Boolean(process.env.DATABASE_URL?.startsWith('postgres') && process.env.REDIS_URL);
}

const MAIN = path.resolve(__dirname, '../../dist/main.js');
/** What main.ts prints once, on the start that created the workspace and its admin. */
export const FIRST_START = 'First start: created the workspace and its admin.';
const RUNNING = /Connections is running at|First start:/;

export interface Replica {
  index: number;
  port: number;
  /** Its own address, bypassing the balancer: "on replica A ..., on replica B ...". */
  url: string;
  pid: number;
  alive(): boolean;
  /** stdout and stderr so far, secrets redacted. */
  output(): string;
  /** kill -9: no shutdown hook runs, connections to PostgreSQL and Redis just drop. */
  kill9(): Promise<void>;
}

export interface Cluster {
  balancer: Balancer;
  replicas: Replica[];
  /** Shared by every replica (and needed to read sealed rows from the test). */
  env: Record<string, string>;
  /** Which replica owns the local end of a TCP connection from 127.0.0.1:<clientPort> to <serverPort>. */
  ownerOf(clientPort: number, serverPort: number): Replica | undefined;
  /** Runs a test body; on failure, appends the tail of what each replica printed (secrets redacted). */
  explained(fn: () => Promise<void>): () => Promise<void>;
  /** Starts a dead replica again on its port with the same environment; it takes the old one's place. */
  restart(replica: Replica): Promise<Replica>;
  stop(): Promise<void>;
}

async function freePorts(n: number): Promise<number[]> {
  // All held open together, so the OS cannot hand out the same port twice.
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function sql(statement: string): Promise<void> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    for (let round = 0; round < 1000; round++) {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = nextCursor;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

/** The TCP connections' socket inodes by local port, from the kernel's table (Linux). */
function socketInode(localPort: number, remotePort: number): string | undefined {
  const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hex(localPort)}`) && cols[2]?.endsWith(`:${hex(remotePort)}`)) return cols[9];
    }
  }
  return undefined;
}

function ownsSocket(pid: number, inode: string): boolean {
  try {
    return fs
      .readdirSync(`/proc/${pid}/fd`)
      .some((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' }) === `socket:[${inode}]`);
  } catch {
    return false;
  }
}

function spawnReplica(
  index: number,
  port: number,
  env: Record<string, string>,
  redact: (s: string) => string,
) {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replica: Replica = {
    index,
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => redact(out),
    kill9: async () => {
      if (replica.alive()) child.kill('SIGKILL');
      await exited;
    },
  };
  const ready = waitFor(() => RUNNING.test(out) || !replica.alive(), {
    timeoutMs: 60_000,
    message: () => `replica ${index} did not start:\n${replica.output()}`,
  }).then(() => {
    if (!replica.alive()) throw new Error(`replica ${index} exited:\n${replica.output()}`);
  });
  return { replica, child, ready, exited };
}

/**
 * Starts `count` replicas of the built server (`node apps/api/dist/main.js`) at the same moment, behind a
 * round-robin balancer, on one fresh PostgreSQL schema and one Redis key prefix, both removed by stop().
 * Everything is on 127.0.0.1; upstreams are too, so private networks are allowed.
 */
export async function startCluster(count = 3, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the api first (npm test does)`);
  const schema = `r_${randomBytes(6).toString('hex')}`;
  const prefix = `cnx-test-${randomBytes(6).toString('hex')}:`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-replicas-'));
  await sql(`CREATE SCHEMA "${schema}"`);
  const balancer = await startBalancer();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: balancer.url,
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_SCHEMA: schema,
    REDIS_URL: process.env.REDIS_URL!,
    CONNECTIONS_REDIS_PREFIX: prefix,
    CONNECTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CONNECTIONS_ADMIN_EMAIL: ADMIN_EMAIL,
    CONNECTIONS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
    CONNECTIONS_SANDBOX: 'false',
    CONNECTIONS_DATA_DIR: dataDir,
    // Off unless a test asks: a run at a random moment would add token requests to tests that count them.
    CONNECTIONS_BACKGROUND_REFRESH: 'false',
    ...extraEnv,
  };
  // Captured output helps debugging; it must never carry a secret of ours into the test report.
  const secrets = [env.CONNECTIONS_ENCRYPTION_KEY!, ADMIN_PASSWORD];
  const redact = (s: string) => secrets.reduce((acc, v) => acc.split(v).join('[redacted]'), s);
  const ports = await freePorts(count);
  balancer.setTargets(ports);
  const started = ports.map((port, i) => spawnReplica(i, port, env, redact));
  const killAll = () => started.forEach((s) => s.child.kill('SIGKILL'));
  // A test run that dies must not leave replicas behind.
  process.once('exit', killAll);

  const stop = async () => {
    for (const s of started) if (s.replica.alive()) s.child.kill('SIGTERM');
    await Promise.race([
      Promise.all(started.map((s) => s.exited)),
      new Promise((r) => setTimeout(r, 10_000).unref()),
    ]);
    killAll();
    await Promise.all(started.map((s) => s.exited));
    process.removeListener('exit', killAll);
    await balancer.close();
    await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await deleteRedisKeys(prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const outcome = await Promise.allSettled(started.map((s) => s.ready));
  const failures = outcome.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failures.length) {
    await stop();
    throw new Error(failures.map((f) => (f.reason as Error).message).join('\n\n'));
  }
  const replicas = started.map((s) => s.replica);
  return {
    balancer,
    replicas,
    env,
    ownerOf: (clientPort, serverPort) => {
      const inode = socketInode(clientPort, serverPort);
      return inode ? replicas.find((r) => r.alive() && ownsSocket(r.pid, inode)) : undefined;
    },
    explained: (fn) => () =>
      fn().catch((e: unknown) => {
        const tails = replicas.map(
          (r) => `--- replica ${r.index} (port ${r.port}):\n${r.output().slice(-3000)}`,
        );
        if (e instanceof Error) e.message += `\n${tails.join('\n')}`;
        throw e;
      }),
    restart: async (old) => {
      const i = replicas.indexOf(old);
      if (i < 0 || old.alive()) throw new Error(`replica ${old.index} is not a dead replica of this cluster`);
      const s = spawnReplica(old.index, old.port, env, redact);
      // In place, so that stop(), the exit hook and explained() see the new process.
      started[i] = s;
      replicas[i] = s.replica;
      await s.ready;
      return s.replica;
    },
    stop,
  };
}
