#!/usr/bin/env node
// URL invocation overhead: a direct undici request to a loopback upstream, the same call through
// `GET /proxy/<link>/items` and through the `invokeUrl` mutation, at concurrency 1 and 32. For reference,
// `bare`: a minimal node:http + undici proxy with none of our work (the floor for any Node proxy). Each
// server runs in its own process; rounds rotate so machine noise hits all alike. Prints requests per second,
// p50 and p99 (medians over rounds) and the ratios to direct. TARGETS=direct,proxy limits what runs.
// Targets: proxy throughput >= 0.5 of direct; proxy adds < 1 ms to p50 at concurrency 1.
// Needs a build: `npx turbo run build`.
import { randomBytes } from 'node:crypto';
import { load, median } from './lib/load.mjs';
import { spawnJson } from './lib/spawn-json.mjs';

const rounds = Number(process.env.ROUNDS ?? 5);
const durationMs = Number(process.env.DURATION_MS ?? 3000);
const levels = (process.env.CONCURRENCY ?? '1,32').split(',').map(Number);

const apiKey = `bench-key-${randomBytes(6).toString('hex')}`;
// NODE_ENV=production: Express and graphql-js skip their development-only work.
const env = { NODE_ENV: 'production' };
const upstream = await spawnJson(
  new URL('./lib/invoke-upstream.mjs', import.meta.url).pathname,
  [apiKey],
  env,
);
const bare = await spawnJson(
  new URL('./lib/invoke-bare-proxy.mjs', import.meta.url).pathname,
  [upstream.info.url, apiKey],
  env,
);
const api = await spawnJson(
  new URL('./lib/invoke-api.mjs', import.meta.url).pathname,
  [upstream.info.url, apiKey],
  env,
);

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
    check: (text) => JSON.parse(text).data?.invokeUrl?.status === 200,
  },
};
// direct always runs: every ratio is to it.
const names = [
  'direct',
  ...(process.env.TARGETS ?? 'bare,proxy,invokeUrl').split(',').filter((n) => n !== 'direct'),
];

const fmt = (n, digits = 0) => n.toFixed(digits).padStart(8);
try {
  for (const name of names) await load({ ...targets[name], concurrency: 8, durationMs: 1000 });
  for (const concurrency of levels) {
    const results = Object.fromEntries(names.map((n) => [n, { rps: [], p50: [], p99: [] }]));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no target always runs right after another.
      const order = names.map((_, i) => names[(i + r) % names.length]);
      for (const name of order) {
        const res = await load({ ...targets[name], concurrency, durationMs });
        if (res.errors) throw new Error(`${name}: ${res.errors} failed requests`);
        for (const k of ['rps', 'p50', 'p99']) results[name][k].push(res[k]);
      }
    }
    const m = Object.fromEntries(
      names.map((n) => [
        n,
        { rps: median(results[n].rps), p50: median(results[n].p50), p99: median(results[n].p99) },
      ]),
    );
    console.log(`\nconcurrency ${concurrency}: ${rounds} rotating rounds of ${durationMs} ms (medians)`);
    console.log('  target        req/s   p50 ms   p99 ms   rps/direct   p50 - direct (ms)');
    for (const n of names) {
      const ratio = m[n].rps / m.direct.rps;
      const added = m[n].p50 - m.direct.p50;
      console.log(
        `  ${n.padEnd(10)}${fmt(m[n].rps)} ${fmt(m[n].p50, 2)} ${fmt(m[n].p99, 2)}     ${ratio.toFixed(2).padStart(8)}   ${added.toFixed(2).padStart(8)}`,
      );
    }
    if (!m.proxy) continue;
    console.log(`  proxy throughput / direct: ${(m.proxy.rps / m.direct.rps).toFixed(2)} (target >= 0.50)`);
    if (concurrency === 1)
      console.log(`  proxy added p50: ${(m.proxy.p50 - m.direct.p50).toFixed(2)} ms (target < 1 ms)`);
  }
} finally {
  api.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
  upstream.child.kill('SIGTERM');
}
