#!/usr/bin/env node
// authorizationEvents fan-out, one process against two replicas over Redis, in the same run: SUBSCRIBERS
// (10,000) graphql-ws subscribers per mode, one real event per round, and the time from publishing it to its
// delivery to the LAST subscriber. Needs a build (`npx turbo run build`), PostgreSQL and Redis.
// Target: the Redis mode's p99 within 1.5x of the in-memory one.
//
// The two modes, both live for the whole run:
// - in-memory: one API process on PostgreSQL without REDIS_URL (the in-process bus), every subscriber on it.
//   PostgreSQL rather than SQLite so that both modes run the same database code (MEMORY_DB=sqlite for the
//   embedded default); the database is not in the measured interval anyway, which starts after the commit.
// - Redis: two API processes on ONE PostgreSQL schema with REDIS_URL and a random CONNECTIONS_REDIS_PREFIX,
//   started at the same moment (start-up migrates and bootstraps under an advisory lock); half the subscribers
//   on each. The event is caused on replica 1, which also stamps the publish; replica 2 serves replica 1's
//   data with replica 1's API token. The last delivery is the latest over every subscriber on both replicas.
// Each mode has its own fresh schema (dropped at the end) and its own CLIENTS (2) subscriber processes on raw
// `ws` sockets speaking graphql-transport-ws, so that no client library and no single client event loop sits
// between the sockets and the clock; each subscriber process spreads its sockets over the mode's API
// processes. Rounds alternate between the modes (in pairs whose order alternates too), so that machine noise
// and the other mode's idle sockets weigh on both alike. MODES=memory or MODES=redis runs only one; VERBOSE=1
// prints every round.
//
// A round: `connect` with new BASIC credentials on the mode's first API process (a real mutation:
// validation, a transaction, an audit row), which publishes REAUTHORIZED. What is measured, and why:
// - publish -> last delivery (the headline): from the instant the API hands the committed event to its bus (the
//   API child reads the clock there) to the instant the last of the subscribers reads its frame off its socket.
//   That is exactly the fan-out: pub/sub (with Redis: the PUBLISH and its return to both replicas), the
//   per-subscriber visibility filter, executing the selection set for each subscriber, graphql-ws framing,
//   the kernel, and the subscriber reading it. Timestamping before the mutation instead would add the
//   mutation's database work, which is not fan-out.
// - mutation sent -> last delivery: what an integrator would see end to end, printed for context.
// Every clock is process.hrtime (CLOCK_MONOTONIC), which is one clock for every process on the machine, so
// instants taken in different processes compare directly. All traffic is on 127.0.0.1. With few rounds, p99
// is the nearest-rank value: with 30 rounds, the slowest one.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Deployment, max, min } from './lib/subscriptions-deployment.mjs';

const subscribers = Number(process.env.SUBSCRIBERS ?? 10_000);
const clientCount = Number(process.env.CLIENTS ?? 2);
const rounds = Number(process.env.ROUNDS ?? 30);
const warmup = Number(process.env.WARMUP ?? 3);
const roundTimeoutMs = Number(process.env.ROUND_TIMEOUT_MS ?? 30_000);
// Between rounds, time for the last round's garbage collection and socket writes to finish, in whichever
// process: the next round may be the other mode's, on the same two cores.
const settleMs = Number(process.env.SETTLE_MS ?? Math.max(100, subscribers / 20));
const modes = (process.env.MODES ?? 'memory,redis').split(',');
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const memoryDb = process.env.MEMORY_DB ?? 'postgres';
// REPLICAS=1 isolates what Redis itself costs, without the second process's share of the work.
const replicas = Number(process.env.REPLICAS ?? 2);
const verbose = process.env.VERBOSE === '1';
const target = 1.5;

const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};

// Each API process of the in-memory mode holds every socket, and a subscriber process its share: say so
// before the kernel refuses the 1,021st socket with EMFILE half-way through.
const fdLimit = Number(/Max open files\s+(\d+)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1]);
if (fdLimit && fdLimit < subscribers + 1000) {
  console.error(
    `open-file limit ${fdLimit} is below ${subscribers} sockets in one process (+1000 spare): raise it ` +
      `(ulimit -n ${subscribers + 1000}) or lower SUBSCRIBERS`,
  );
  process.exit(1);
}

// The schemas are made here rather than by the servers: two replicas creating one schema at once would race.
const { Client } = createRequire(new URL('../apps/api/package.json', import.meta.url))('pg');
const sql = async (statement) => {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
};
const run = randomBytes(4).toString('hex');
const schemas = [];
async function freshSchema(name) {
  const schema = `bench_subs_${run}_${name}`;
  await sql(`CREATE SCHEMA "${schema}"`);
  schemas.push(schema);
  return schema;
}

// Every variable the API child reads is set, '' meaning unset, so nothing leaks in from this shell (CI sets
// REDIS_URL, which would turn the in-memory process into a Redis one).
const key = randomBytes(32).toString('base64');
const apiEnv = (env) => ({
  NODE_ENV: 'production',
  DATABASE_URL: '',
  DATABASE_SCHEMA: '',
  REDIS_URL: '',
  CONNECTIONS_REDIS_PREFIX: '',
  CONNECTIONS_ENCRYPTION_KEY: key,
  // Every subscriber comes from 127.0.0.1: the per-address cap (100 by default) would refuse the 101st socket.
  GRAPHQL_WS_MAX_CONNECTIONS: String(subscribers + 100),
  GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS: String(subscribers + 100),
  ...env,
});

const deployments = [];
let exitCode = 0;
let cleaning;
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, async () => {
    console.error(`${signal}: stopping the servers and dropping the schemas`);
    await cleanUp();
    process.exit(130);
  });
try {
  if (modes.includes('memory')) {
    const db =
      memoryDb === 'sqlite'
        ? {}
        : { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: await freshSchema('memory') };
    const label = `in-memory, 1 process (${memoryDb === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`;
    deployments.push(new Deployment(label, [apiEnv(db)]));
  }
  if (modes.includes('redis')) {
    const shared = {
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: await freshSchema('redis'),
      REDIS_URL: redisUrl,
      CONNECTIONS_REDIS_PREFIX: `bench-subs-${run}`,
    };
    const label = `Redis, ${replicas} replica${replicas > 1 ? 's' : ''} (PostgreSQL)`;
    deployments.push(
      new Deployment(
        label,
        Array.from({ length: replicas }, () => apiEnv(shared)),
      ),
    );
  }
  if (!deployments.length) throw new Error(`MODES=${modes} names no mode (memory, redis)`);

  const connectTimeoutMs = Math.max(120_000, subscribers * 20);
  for (const d of deployments) await d.startApis();
  for (const d of deployments) {
    await d.startClients(subscribers, clientCount, connectTimeoutMs);
    await d.waitLive(Math.max(5_000, subscribers));
  }
  for (let i = 0; i < warmup; i++) for (const d of deployments) await d.round(roundTimeoutMs);
  const results = new Map(deployments.map((d) => [d, []]));
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 ? [...deployments].reverse() : deployments;
    for (const d of order) {
      const r = await d.round(roundTimeoutMs);
      results.get(d).push(r);
      if (verbose)
        console.log(
          `round ${i + 1} ${d.label}: publish -> last ${r.publishToLast.toFixed(1)} ms, ` +
            `first ${r.publishToFirst.toFixed(1)} ms, per API ${r.perApi.map((v) => v.toFixed(1)).join(' / ')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    }
  }
  report(results);
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);

/** Children stopped and schemas dropped, once, whether the run ends, fails or is interrupted. */
async function cleanUp() {
  cleaning ??= (async () => {
    for (const d of deployments) await d.stop();
    for (const schema of schemas)
      await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((e) => {
        console.error(`could not drop schema ${schema}: ${e.message}`);
        exitCode = 1;
      });
  })();
  return cleaning;
}

function report(results) {
  const f = (v, width = 8) => (Number.isNaN(v) ? '-' : v.toFixed(1)).padStart(width);
  const stats = (values) => ({
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    min: min(values),
    max: max(values),
  });
  console.log(
    `${subscribers} graphql-ws subscribers per mode, ${clientCount} subscriber processes per mode; ` +
      `${rounds} alternating rounds per mode after ${warmup} warm-up. Publish -> last delivery:`,
  );
  console.log('');
  console.log(
    `  ${'mode'.padEnd(36)} ${'subscribers'.padStart(11)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
  );
  const headline = new Map();
  for (const [d, rs] of results) {
    const s = stats(rs.map((r) => r.publishToLast));
    headline.set(d, s);
    console.log(`  ${d.label.padEnd(36)} ${String(d.subscribers).padStart(11)} ${f(s.p50)} ${f(s.p99)}`);
  }
  const [memory, redis] = deployments;
  if (deployments.length === 2) {
    const ratio = headline.get(redis).p99 / headline.get(memory).p99;
    const verdict = ratio <= target ? 'met' : 'missed';
    console.log('');
    console.log(`  Redis p99 / in-memory p99: ${ratio.toFixed(2)} (target <= ${target}: ${verdict})`);
  }
  console.log('');
  console.log('Details (ms; p50 / p99 / min / max over the rounds):');
  const line = (label, values) => {
    const s = stats(values);
    console.log(`  ${label.padEnd(58)} ${f(s.p50)} ${f(s.p99)} ${f(s.min)} ${f(s.max)}`);
  };
  for (const [d, rs] of results) {
    console.log(`  ${d.label}: all ${d.subscribers} sockets acknowledged in ${d.connectMs.toFixed(0)} ms`);
    line(
      '  publish -> last delivery',
      rs.map((r) => r.publishToLast),
    );
    line(
      '  publish -> first delivery',
      rs.map((r) => r.publishToFirst),
    );
    line(
      '  mutation sent -> last delivery',
      rs.map((r) => r.sentToLast),
    );
    if (d.urls.length > 1)
      d.urls.forEach((_, k) =>
        line(
          `  publish -> last delivery on replica ${k + 1}${k === 0 ? ' (the publisher)' : ''}`,
          rs.map((r) => r.perApi[k]),
        ),
      );
  }
}
