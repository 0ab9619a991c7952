#!/usr/bin/env node
// authorizationEvents fan-out: SUBSCRIBERS (1,000) graphql-ws subscribers on one API process, one real event per
// round, and the time from publishing it to its delivery to the LAST subscriber. Needs a build: `npm run build`.
//
// Processes: the API (apps/api/dist, SQLite) in its own child; the subscribers spread over CLIENTS (2) child
// processes on raw `ws` sockets speaking graphql-transport-ws, so that no client library and no single client
// event loop sits between the sockets and the clock; this process drives the rounds. On a 2-core machine
// CLIENTS=1, 2 and 4 give the same figures within noise, and the first delivery already comes ~40-50 ms after
// the publish: the API process (executing the subscription once per subscriber, then 1,000 socket writes) is
// the bottleneck, not the subscribers.
//
// A round: this process calls `connect` with new BASIC credentials (a real mutation: validation, a transaction,
// an audit row) and the API publishes REAUTHORIZED. What is measured, and why:
// - publish -> last delivery (the headline): from the instant the API hands the committed event to its bus (the
//   API child reads the clock there) to the instant the last of the subscribers reads its frame off its socket.
//   That is exactly the fan-out: pub/sub, the per-subscriber visibility filter, executing the selection set
//   for each subscriber, graphql-ws framing, the kernel, and the subscriber reading it. Timestamping before
//   the mutation instead would add the mutation's database work, which is not fan-out.
// - mutation sent -> last delivery: what an integrator would see end to end, printed for context.
// Every clock is process.hrtime (CLOCK_MONOTONIC), which is one clock for every process on the machine, so
// instants taken in different processes compare directly. All traffic is on 127.0.0.1. With few rounds, p99
// is the nearest-rank value: with 20 rounds, the slowest one.
import { spawnLines } from './lib/spawn-lines.mjs';

const subscribers = Number(process.env.SUBSCRIBERS ?? 1000);
const clientCount = Number(process.env.CLIENTS ?? 2);
const rounds = Number(process.env.ROUNDS ?? 20);
const warmup = Number(process.env.WARMUP ?? 3);
const roundTimeoutMs = Number(process.env.ROUND_TIMEOUT_MS ?? 30_000);

const lib = (name) => new URL(`./lib/${name}`, import.meta.url).pathname;
const ms = (ns) => Number(ns) / 1e6;
const max = (xs) => xs.reduce((a, b) => (b > a ? b : a));
const min = (xs) => xs.reduce((a, b) => (b < a ? b : a));
const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};

// What the children report, and a way to wait for it.
const published = new Map(); // attemptId -> publish instant (ns)
const delivered = new Map(); // attemptId -> [{first, last}] one per client process
const clients = Array.from({ length: clientCount }, () => ({ connected: undefined, subscribed: false }));
const waiters = new Set();
const notify = () => waiters.forEach((w) => w());
const until = (ready, timeoutMs, what) =>
  new Promise((resolve, reject) => {
    const check = () => {
      if (!ready()) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });

const children = [];
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

let exitCode = 0;
try {
  const api = await spawnLines(lib('subscriptions-api.mjs'), [], { NODE_ENV: 'production' }, (m) => {
    if (m.published) published.set(m.attemptId, BigInt(m.published));
    notify();
  });
  children.push(api.child);
  const { url, token, connectionId } = api.info;

  const shares = clients.map(
    (_, i) => Math.floor(subscribers / clientCount) + (i < subscribers % clientCount ? 1 : 0),
  );
  for (const [i, share] of shares.entries()) {
    const client = await spawnLines(
      lib('subscriptions-clients.mjs'),
      [url, token, String(share)],
      {},
      (m) => {
        if (m.connected) clients[i].connected = m;
        if (m.subscribed) clients[i].subscribed = true;
        if (m.done) delivered.set(m.done, [...(delivered.get(m.done) ?? []), m]);
        notify();
      },
    );
    children.push(client.child);
  }
  await until(() => clients.every((c) => c.subscribed), 120_000, 'every subscriber to connect');
  const connectMs = ms(
    max(clients.map((c) => BigInt(c.connected.end))) - min(clients.map((c) => BigInt(c.connected.start))),
  );

  let n = 0;
  const round = async (timeoutMs) => {
    n += 1;
    const sent = process.hrtime.bigint();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query:
          'mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) { attemptId } }',
        variables: { id: connectionId, c: { username: 'bench', password: `round-${n}` } },
      }),
    });
    const body = await res.json();
    if (body.errors) throw new Error(`connect failed: ${JSON.stringify(body.errors)}`);
    const { attemptId } = body.data.connect;
    await until(
      () => published.has(attemptId) && delivered.get(attemptId)?.length === clientCount,
      timeoutMs,
      `round ${n} to reach all ${subscribers} subscribers`,
    );
    const at = published.get(attemptId);
    const parts = delivered.get(attemptId);
    const last = max(parts.map((p) => BigInt(p.last)));
    return {
      publishToLast: ms(last - at),
      publishToFirst: ms(min(parts.map((p) => BigInt(p.first))) - at),
      sentToLast: ms(last - sent),
    };
  };

  // graphql-ws has no "subscribed" acknowledgement: publish until one event reaches every subscriber.
  for (let attempt = 1; ; attempt++) {
    try {
      await round(2000);
      break;
    } catch (error) {
      if (attempt >= 30) throw error;
    }
  }
  const liveMs = ms(process.hrtime.bigint() - min(clients.map((c) => BigInt(c.connected.start))));
  for (let i = 0; i < warmup; i++) await round(roundTimeoutMs);
  const results = [];
  for (let i = 0; i < rounds; i++) {
    results.push(await round(roundTimeoutMs));
    // Let the last round's garbage and socket writes settle so rounds do not overlap.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const line = (label, key) => {
    const values = results.map((r) => r[key]);
    const f = (v) => v.toFixed(1).padStart(7);
    console.log(
      `  ${label.padEnd(32)} p50 ${f(percentile(values, 50))} ms   p99 ${f(percentile(values, 99))} ms   ` +
        `(min ${min(values).toFixed(1)}, max ${max(values).toFixed(1)})`,
    );
  };
  console.log(
    `${subscribers} graphql-ws subscribers on one API process (SQLite), ${clientCount} subscriber processes; ` +
      `${rounds} rounds after ${warmup} warm-up:`,
  );
  console.log(`  connecting: all ${subscribers} acknowledged in ${connectMs.toFixed(0)} ms`);
  console.log(
    `  subscribed: one event reached all ${subscribers} ${liveMs.toFixed(0)} ms after the first connect began`,
  );
  line('publish -> last delivery', 'publishToLast');
  line('publish -> first delivery', 'publishToFirst');
  line('mutation sent -> last delivery', 'sentToLast');
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  // Subscribers first, so that the API's shutdown does not look like a lost socket to them.
  for (const child of children.slice(1)) await stop(child);
  if (children[0]) await stop(children[0]);
}
process.exit(exitCode);
