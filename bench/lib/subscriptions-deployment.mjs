// One deployment under bench/subscriptions.mjs: its API processes (the first, the primary, takes the
// mutations and stamps the publish), the subscriber processes spread over all of them, and one measured round.
import { spawnLines } from './spawn-lines.mjs';

const lib = (name) => new URL(`./${name}`, import.meta.url).pathname;
export const ms = (ns) => Number(ns) / 1e6;
export const max = (xs) => xs.reduce((a, b) => (b > a ? b : a));
export const min = (xs) => xs.reduce((a, b) => (b < a ? b : a));

// Every report from any child re-checks what is being waited for; a child that dies ends every wait at once.
const waiters = new Set();
const notify = () => waiters.forEach((w) => w());
let fatal;
let stopping = false;
function watch(child, what) {
  child.once('exit', (code, signal) => {
    if (stopping) return;
    fatal ??= new Error(`${what} exited with ${code ?? signal}`);
    notify();
  });
}
export const until = (ready, timeoutMs, what) =>
  new Promise((resolve, reject) => {
    const check = () => {
      if (fatal) {
        clearTimeout(timer);
        waiters.delete(check);
        return reject(fatal);
      }
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

export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export class Deployment {
  /** attemptId -> publish instant (ns), as stamped by the primary. */
  published = new Map();
  /** attemptId -> [{first, last, lasts}] one per subscriber process. */
  delivered = new Map();
  clients = [];
  apiChildren = [];
  clientChildren = [];
  rounds = 0;

  /** `apis`: one env per API process, the primary's first; every process gets all of them (children inherit). */
  constructor(label, apis) {
    this.label = label;
    this.apiEnvs = apis;
  }

  /** Starts every API process at the same moment: replicas of one database take turns at start-up by themselves. */
  async startApis() {
    // allSettled: when one fails, the others are still tracked (and stopped) rather than left running.
    const settled = await Promise.allSettled(
      this.apiEnvs.map(async (env, i) => {
        const role = i === 0 ? 'primary' : 'replica';
        const api = await spawnLines(lib('subscriptions-api.mjs'), [role], env, (m) => {
          if (m.published && i === 0) this.published.set(m.attemptId, BigInt(m.published));
          notify();
        });
        this.apiChildren.push(api.child);
        watch(api.child, `${this.label}: API process ${i + 1}`);
        return api.info;
      }),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw new Error(`${this.label}: ${failed.reason.message}`);
    const started = settled.map((s) => s.value);
    this.urls = started.map((info) => info.url);
    ({ token: this.token, connectionId: this.connectionId } = started[0]);
  }

  /** `subscribers` spread over `processes` subscriber processes; each spreads its own over every API process. */
  async startClients(subscribers, processes, timeoutMs) {
    const shares = Array.from(
      { length: processes },
      (_, i) => Math.floor(subscribers / processes) + (i < subscribers % processes ? 1 : 0),
    ).filter((share) => share > 0);
    this.clients = shares.map(() => ({ connected: undefined, subscribed: false }));
    for (const [i, share] of shares.entries()) {
      const client = await spawnLines(
        lib('subscriptions-clients.mjs'),
        [this.urls.join(','), this.token, String(share)],
        {},
        (m) => {
          if (m.connected) this.clients[i].connected = m;
          if (m.subscribed) this.clients[i].subscribed = true;
          if (m.done) this.delivered.set(m.done, [...(this.delivered.get(m.done) ?? []), m]);
          notify();
        },
      );
      this.clientChildren.push(client.child);
      watch(client.child, `${this.label}: subscriber process ${i + 1}`);
    }
    await until(() => this.clients.every((c) => c.subscribed), timeoutMs, `${this.label}: every subscriber`);
    this.subscribers = subscribers;
    this.connectMs = ms(
      max(this.clients.map((c) => BigInt(c.connected.end))) -
        min(this.clients.map((c) => BigInt(c.connected.start))),
    );
  }

  /**
   * One event: `connect` with new credentials on the primary (a real mutation: validation, a transaction, an
   * audit row), then wait until every subscriber process has seen it on every one of its sockets.
   */
  async round(timeoutMs) {
    const n = ++this.rounds;
    const sent = process.hrtime.bigint();
    const res = await fetch(`${this.urls[0]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({
        query:
          'mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) { attemptId } }',
        variables: { id: this.connectionId, c: { username: 'bench', password: `round-${n}` } },
      }),
    });
    const body = await res.json();
    if (body.errors) throw new Error(`${this.label}: connect failed: ${JSON.stringify(body.errors)}`);
    const { attemptId } = body.data.connect;
    await until(
      () => this.published.has(attemptId) && this.delivered.get(attemptId)?.length === this.clients.length,
      timeoutMs,
      `${this.label}: round ${n} to reach all ${this.subscribers} subscribers`,
    );
    const at = this.published.get(attemptId);
    const parts = this.delivered.get(attemptId);
    this.delivered.delete(attemptId);
    const last = max(parts.map((p) => BigInt(p.last)));
    // The last arrival among the sockets on each API process (0: no socket of that process there).
    const lastPerApi = this.urls.map((_, k) => max(parts.map((p) => BigInt(p.lasts[k]))));
    return {
      publishToLast: ms(last - at),
      publishToFirst: ms(min(parts.map((p) => BigInt(p.first))) - at),
      sentToLast: ms(last - sent),
      perApi: lastPerApi.map((l) => (l > 0n ? ms(l - at) : NaN)),
    };
  }

  /** graphql-ws has no "subscribed" acknowledgement: publish until one event reaches every subscriber. */
  async waitLive(attemptTimeoutMs, attempts = 30) {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.round(attemptTimeoutMs);
        return;
      } catch (error) {
        if (attempt >= attempts || !/timed out/.test(error.message)) throw error;
      }
    }
  }

  /** Subscribers first, so that an API's shutdown does not look like a lost socket to them. */
  async stop() {
    stopping = true;
    for (const child of this.clientChildren) await stop(child);
    await Promise.all(this.apiChildren.map(stop));
  }
}
