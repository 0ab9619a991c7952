#!/usr/bin/env node
// connections(first: 100) over HTTP: the real API (Express + Apollo + type-graphql + TypeORM, with API-token
// auth and query limits) against plain graphql-js behind node:http over the same SQLite rows. Both servers
// run in their own process; rounds alternate so machine noise hits both alike; every response is checked
// (100 nodes). Prints requests per second and the ratio (issue 15's target: at least 0.7); exits 1 when it is
// missed. Needs a build: `npm run build`.
import { load, median } from './lib/load.mjs';
import { spawnJson } from './lib/spawn-json.mjs';

const rounds = Number(process.env.ROUNDS ?? 5);
const durationMs = Number(process.env.DURATION_MS ?? 4000);
const concurrency = Number(process.env.CONCURRENCY ?? 8);
const query =
  '{ connections(first: 100) { nodes { id name linkName status service { name authType } owner { email } } } }';
const body = JSON.stringify({ query });

// NODE_ENV=production for both: graphql-js runs its development-only checks otherwise.
const env = { NODE_ENV: 'production' };
const api = await spawnJson(new URL('./lib/graphql-list-api.mjs', import.meta.url).pathname, [], env);
const plain = await spawnJson(
  new URL('./lib/graphql-list-plain.mjs', import.meta.url).pathname,
  [api.info.dbFile, api.info.userId],
  env,
);
const check = (text) => (JSON.parse(text).data?.connections?.nodes?.length ?? 0) === 100;
const targets = {
  api: {
    url: api.info.url,
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.info.token}` },
  },
  plain: { url: plain.info.url, path: '/', headers: { 'content-type': 'application/json' } },
};

try {
  // Warm both up (JIT, statement caches) before measuring.
  for (const t of Object.values(targets)) await load({ ...t, body, concurrency, durationMs: 1000, check });
  const results = { api: [], plain: [] };
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? ['plain', 'api'] : ['api', 'plain']) {
      const res = await load({ ...targets[name], body, concurrency, durationMs, check });
      if (res.errors) throw new Error(`${name}: ${res.errors} failed requests`);
      results[name].push(res.rps);
    }
  }
  const apiRps = median(results.api);
  const plainRps = median(results.plain);
  console.log(
    `connections(first: 100), concurrency ${concurrency}, ${rounds} alternating rounds of ${durationMs} ms (median):`,
  );
  console.log(
    `  API (Apollo + type-graphql + TypeORM):  ${apiRps.toFixed(0)} req/s   rounds: ${results.api.map((x) => x.toFixed(0)).join(' ')}`,
  );
  console.log(
    `  plain graphql-js over node:http:        ${plainRps.toFixed(0)} req/s   rounds: ${results.plain.map((x) => x.toFixed(0)).join(' ')}`,
  );
  const ratio = apiRps / plainRps;
  console.log(
    `  ratio API / plain: ${ratio.toFixed(2)} (target >= 0.70: ${ratio >= 0.7 ? 'met' : 'MISSED'})`,
  );
  process.exitCode = ratio >= 0.7 ? 0 : 1;
} finally {
  api.child.kill('SIGTERM');
  plain.child.kill('SIGTERM');
}
