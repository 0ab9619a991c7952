// A closed-loop HTTP load generator: `concurrency` clients each send the next request as soon as the
// previous answer is read, for `durationMs` (or until `requests` have been sent). `check` sees every response
// body: one that fails it counts as an error. Returns requests per second and latency percentiles.
import { Pool } from 'undici';

export async function load({
  url,
  path = '/',
  method = 'POST',
  headers = {},
  body,
  concurrency,
  durationMs = Infinity,
  requests = Infinity,
  check,
}) {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const latencies = [];
  let errors = 0;
  let sent = 0;
  const deadline = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && sent++ < requests) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ path, method, headers, body });
        const text = await res.body.text();
        if (res.statusCode >= 400 || (check && !check(text))) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / (elapsed / 1000),
    p50: pct(50),
    p99: pct(99),
  };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
