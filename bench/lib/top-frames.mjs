#!/usr/bin/env node
// Summarises a V8 CPU profile (`node --cpu-prof`; the benchmarks pass BENCH_NODE_ARGS to every server they
// start, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"). Only samples from the first one whose
// stack holds `from` on (default: every sample) count, so start-up and seeding stay out. Prints self time by
// package (node_modules package, our workspace, or node: internals) and the top frames by self time.
// Usage: node bench/lib/top-frames.mjs <file.cpuprofile> [count] [from function name]
import fs from 'node:fs';

const [file, countArg, from] = process.argv.slice(2);
const count = Number(countArg ?? 20);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stack = (id) => {
  const out = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) out.push(byId.get(cur).callFrame);
  return out;
};

let started = !from;
let busy = 0;
const self = new Map();
const byPackage = new Map();
const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
const short = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\//, '')
    .replace(/.*\/(apps|packages)\//, '$1/');
const packageOf = (cf) => {
  const url = cf.url;
  if (!url) return cf.functionName.startsWith('(') ? cf.functionName : `native ${cf.functionName}`;
  if (url.startsWith('node:'))
    return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(14).split('/')[0] : url.slice(5)}`;
  const mod = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (mod) return mod[1];
  const ours = /\/(apps\/[^/]+|packages\/[^/]+)\//.exec(url);
  return ours ? ours[1] : url;
};
for (const id of profile.samples) {
  const frames = stack(id);
  if (!started) started = frames.some((f) => f.functionName === from);
  if (!started) continue;
  const top = frames[0];
  if (top.functionName === '(idle)') continue;
  busy++;
  add(self, `${top.functionName || '(anonymous)'} ${short(top.url)}:${top.lineNumber + 1}`);
  add(byPackage, packageOf(top));
}
const pct = (n) => `${((100 * n) / busy).toFixed(1).padStart(5)}%`;
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
console.log(`${file}: ${busy} busy samples${from ? ` from the first ${from}` : ''}`);
console.log('\nself time by package:');
for (const [k, n] of top(byPackage, 15)) console.log(`  ${pct(n)}  ${k}`);
console.log('\ntop frames by self time:');
for (const [k, n] of top(self, count)) console.log(`  ${pct(n)}  ${k}`);
