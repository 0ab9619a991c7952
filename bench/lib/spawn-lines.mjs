import { spawn } from 'node:child_process';

/**
 * Starts a helper process that talks in JSON lines on stdout: every line goes to `onLine`, and the promise
 * resolves with the child and the first line. Unlike spawnJson, no line that arrives in the same chunk as
 * the first one is lost.
 */
export function spawnLines(script, args = [], env = {}, onLine = () => {}) {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    let first = true;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      let at;
      while ((at = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, at);
        buf = buf.slice(at + 1);
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line);
        if (first) {
          first = false;
          resolve({ child, info: message });
        }
        onLine(message);
      }
    });
    child.on('exit', (code, signal) => {
      if (first) reject(new Error(`${script} exited with ${code ?? signal} before it was ready`));
    });
  });
}
