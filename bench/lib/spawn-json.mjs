import { spawn } from 'node:child_process';

/**
 * Starts a helper process and resolves with the first JSON line it prints on stdout. BENCH_NODE_ARGS go to
 * every helper (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); `nodeArgs` to this one.
 */
export function spawnJson(script, args = [], env = {}, nodeArgs = []) {
  const common = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...common, ...nodeArgs, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, info: JSON.parse(line) });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
