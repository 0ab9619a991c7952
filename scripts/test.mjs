#!/usr/bin/env node
// `npm test`: builds what the tests import, runs every workspace's Jest suite one after another, and ends
// with one summary line. Integration tests run on SQLite always and on PostgreSQL when DATABASE_URL is set.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });

if (!process.env.DATABASE_URL?.startsWith('postgres'))
  console.log(
    '\nDATABASE_URL is not set to a PostgreSQL server: integration tests run on SQLite only; the PostgreSQL pass is skipped.\n',
  );
else
  console.log(
    `\nIntegration tests run on SQLite and on PostgreSQL (${process.env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}).\n`,
  );

const build = run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
if (build.status !== 0) {
  console.error('The build failed; no tests were run.');
  process.exit(1);
}

const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const workspaces = rootPkg.workspaces
  .flatMap((pattern) => {
    const dir = path.join(root, pattern.replace(/\/\*$/, ''));
    return fs.readdirSync(dir).map((d) => path.join(dir, d));
  })
  .filter((dir) => fs.existsSync(path.join(dir, 'jest.config.cjs')));

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-jest-'));
let passed = 0;
let failed = 0;
let skipped = 0;
let broken = [];
for (const dir of workspaces) {
  const name = path.relative(root, dir);
  console.log(`\n=== ${name} ===`);
  const out = path.join(outDir, `${name.replace(/\W/g, '_')}.json`);
  const extra = process.argv.slice(2);
  const r = run('npx', ['jest', '--ci', '--json', `--outputFile=${out}`, ...extra], { cwd: dir });
  if (!fs.existsSync(out)) {
    broken.push(name);
    continue;
  }
  const result = JSON.parse(fs.readFileSync(out, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  if (r.status !== 0 || result.numFailedTestSuites > 0) broken.push(name);
}

console.log('');
if (broken.length) console.log(`Failing workspaces: ${broken.join(', ')}`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(broken.length || failed ? 1 : 0);
