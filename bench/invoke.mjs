#!/usr/bin/env node
// URL invocation overhead (issue 15): the same GET through `bare` (a minimal node:http + undici proxy with
// none of our work: the floor any Node proxy sets on this machine), through `GET /proxy/<link>/items` and
// through the `invokeUrl` mutation, at concurrency 1 and 32; `direct` (undici straight to the upstream) for
// reference. Each server runs in its own process; rounds rotate so machine noise hits all alike; every
// response body is checked. Prints requests per second, p50 and p99 (medians over rounds), the ratios to bare,
// the server CPU time per call (bare and the API), then the API process's heap before and after 10,000 more
// calls at concurrency 32.
// Targets: /proxy >= 0.7x bare at both concurrencies and < 0.3 ms added to bare's p50 at concurrency 1;
// invokeUrl >= 0.5x bare at both; the heap back within 10% of where it started. Exits 1 when one is missed.
// TARGETS=bare,proxy limits what runs (bare always runs). Needs a build: `npx turbo run build`.
import { randomBytes } from 'node:crypto';
import { cpuOf, heapOf } from './lib/heap-probe.mjs';
import { load, median } from './lib/load.mjs';
import { spawnJson } from './lib/spawn-json.mjs';

const rounds = Number(process.env.ROUNDS ?? 5);
const durationMs = Number(process.env.DURATION_MS ?? 3000);
const levels = (process.env.CONCURRENCY ?? '1,32').split(',').map(Number);
const heapCalls = Number(process.env.HEAP_CALLS ?? 10_000);

const apiKey = `bench-key-${randomBytes(6).toString('hex')}`;
// NODE_ENV=production: Express and graphql-js skip their development-only work.
const env = { NODE_ENV: 'production' };
const script = (name) => new URL(`./lib/${name}`, import.meta.url).pathname;
const upstream = await spawnJson(script('invoke-upstream.mjs'), [apiKey], env);
const bare = await spawnJson(script('invoke-bare-proxy.mjs'), [upstream.info.url, apiKey], env);
const api = await spawnJson(script('invoke-api.mjs'), [upstream.info.url, apiKey], env, ['--expose-gc']);

const bearer = { authorization: `Bearer ${api.info.token}` };
const okJson = (text) => text.startsWith('{"ok":true');
const targets = {
  direct: {
    url: upstream.info.url,
    path: '/items',
    method: 'GET',
    headers: { 'x-api-key': apiKey },
    check: okJson,
  },
  bare: { url: bare.info.url, path: `/proxy/${api.info.link}/items`, method: 'GET', check: okJson },
  proxy: {
    url: api.info.url,
    path: `/proxy/${api.info.link}/items`,
    method: 'GET',
    headers: bearer,
    check: okJson,
  },
  invokeUrl: {
    url: api.info.url,
    path: '/graphql',
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }',
      variables: { i: { connection: api.info.link, url: 'items' } },
    }),
    check: (text) => {
      const r = JSON.parse(text).data?.invokeUrl;
      return r?.status === 200 && okJson(r.body);
    },
  },
};
// The server processes whose CPU time is read around each round (the proxy's CPU per call, whatever else the
// machine runs meanwhile).
const probes = { bare: bare.info.heapUrl, proxy: api.info.heapUrl, invokeUrl: api.info.heapUrl };
const asked = (process.env.TARGETS ?? 'direct,proxy,invokeUrl').split(',');
const names = ['bare', ...asked.filter((n) => n !== 'bare')];

const missed = [];
const verdict = (label, ok) => {
  if (!ok) missed.push(label);
  return ok ? 'met' : 'MISSED';
};
const fmt = (n, digits = 0) => n.toFixed(digits).padStart(8);

async function measure(concurrency) {
  const results = Object.fromEntries(names.map((n) => [n, { rps: [], p50: [], p99: [], cpu: [] }]));
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so no target always runs right after another.
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const probe = probes[name];
      const cpuBefore = probe && (await cpuOf(probe));
      const res = await load({ ...targets[name], concurrency, durationMs });
      if (res.errors) throw new Error(`${name}: ${res.errors} failed requests`);
      for (const k of ['rps', 'p50', 'p99']) results[name][k].push(res[k]);
      if (probe) results[name].cpu.push(((await cpuOf(probe)) - cpuBefore) / res.requests);
    }
  }
  const m = Object.fromEntries(
    names.map((n) => [
      n,
      {
        rps: median(results[n].rps),
        p50: median(results[n].p50),
        p99: median(results[n].p99),
        cpu: results[n].cpu.length ? median(results[n].cpu) : NaN,
      },
    ]),
  );
  console.log(`\nconcurrency ${concurrency}: ${rounds} rotating rounds of ${durationMs} ms (medians)`);
  console.log('  target        req/s   p50 ms   p99 ms    rps/bare   p50 - bare (ms)   server CPU/call (us)');
  for (const n of names)
    console.log(
      `  ${n.padEnd(10)}${fmt(m[n].rps)} ${fmt(m[n].p50, 2)} ${fmt(m[n].p99, 2)}    ${(m[n].rps / m.bare.rps).toFixed(2).padStart(8)}   ${(m[n].p50 - m.bare.p50).toFixed(2).padStart(8)}          ${Number.isNaN(m[n].cpu) ? '       -' : fmt(m[n].cpu)}`,
    );
  if (m.proxy) {
    const ratio = m.proxy.rps / m.bare.rps;
    console.log(
      `  /proxy throughput / bare: ${ratio.toFixed(2)} (target >= 0.70: ${verdict(`proxy c=${concurrency}`, ratio >= 0.7)})`,
    );
    if (concurrency === 1) {
      const added = m.proxy.p50 - m.bare.p50;
      console.log(
        `  /proxy added p50: ${added.toFixed(2)} ms (target < 0.30 ms: ${verdict('proxy p50', added < 0.3)})`,
      );
    }
  }
  if (m.invokeUrl) {
    const ratio = m.invokeUrl.rps / m.bare.rps;
    console.log(
      `  invokeUrl throughput / bare: ${ratio.toFixed(2)} (target >= 0.50: ${verdict(`invokeUrl c=${concurrency}`, ratio >= 0.5)})`,
    );
  }
}

/** The API's heap (after a full collection) before and after `heapCalls` more calls at concurrency 32. */
async function heapCheck() {
  const calls = names.filter((n) => n === 'proxy' || n === 'invokeUrl');
  if (!calls.length || !heapCalls) return;
  const before = await heapOf(api.info.heapUrl);
  for (const name of calls) {
    const res = await load({ ...targets[name], concurrency: 32, requests: heapCalls / calls.length });
    if (res.errors) throw new Error(`${name}: ${res.errors} failed requests`);
  }
  const after = await heapOf(api.info.heapUrl);
  const change = (after - before) / before;
  const mb = (b) => (b / 1024 / 1024).toFixed(1);
  console.log(
    `\nheap of the API process: ${mb(before)} MB before, ${mb(after)} MB after ${heapCalls} calls (${calls.join(' + ')}) at concurrency 32: ${(change * 100).toFixed(1)}% (target within ±10%: ${verdict('heap', Math.abs(change) <= 0.1)})`,
  );
}

try {
  for (const name of names) await load({ ...targets[name], concurrency: 8, durationMs: 1000 });
  for (const concurrency of levels) await measure(concurrency);
  await heapCheck();
  console.log(missed.length ? `\nmissed: ${missed.join(', ')}` : '\nevery target met');
  process.exitCode = missed.length ? 1 : 0;
} finally {
  api.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
  upstream.child.kill('SIGTERM');
}
