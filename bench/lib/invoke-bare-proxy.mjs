// The floor for any Node proxy: node:http in front, undici to the upstream, the body piped back; no
// authentication, database, credentials or audit. Adds the API key itself. Prints {url, heapUrl}.
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import { startHeapProbe } from './heap-probe.mjs';

const [upstreamUrl, apiKey] = process.argv.slice(2);
const dispatcher = new Agent();
const server = http.createServer(async (req, res) => {
  try {
    const up = await request(`${upstreamUrl}${req.url.replace(/^\/proxy\/[a-z0-9_]+/, '')}`, {
      method: req.method,
      headers: { 'x-api-key': apiKey, accept: req.headers.accept ?? '*/*' },
      dispatcher,
    });
    res.writeHead(up.statusCode, { 'content-type': up.headers['content-type'] });
    await pipeline(up.body, res);
  } catch {
    res.destroy();
  }
});
server.keepAliveTimeout = 60_000;
const heapUrl = await startHeapProbe();
server.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, heapUrl })),
);
process.on('SIGTERM', () => process.exit(0));
