// A side port on a benchmark's server process that reports its heap after a full collection (the process
// runs with --expose-gc), so a benchmark can check that calls leave no growth behind: caches and queues
// bounded. GET / answers {heapUsed} in bytes and {cpuMicros}, the process's CPU time so far (user + system),
// from which a benchmark can tell the CPU each call costs whatever else runs on the machine.
import http from 'node:http';

export function startHeapProbe() {
  const server = http.createServer((req, res) => {
    const cpu = process.cpuUsage();
    if (!new URL(req.url, 'http://x').searchParams.has('cpu')) {
      // Twice: the first collection can leave objects that finalizers released for the second.
      globalThis.gc?.();
      globalThis.gc?.();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        heapUsed: process.memoryUsage().heapUsed,
        cpuMicros: cpu.user + cpu.system,
        gc: typeof globalThis.gc === 'function',
      }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve(`http://127.0.0.1:${server.address().port}`);
    }),
  );
}

export async function heapOf(url) {
  const res = await fetch(url);
  return (await res.json()).heapUsed;
}

/** The process's CPU time so far, in microseconds (no collection first). */
export async function cpuOf(url) {
  const res = await fetch(`${url}/?cpu`);
  return (await res.json()).cpuMicros;
}
