// The loopback upstream for bench/invoke.mjs: node:http answering every request with a small JSON body, as
// a third-party API would. Checks the API key so a misrouted benchmark fails loudly. Prints {url}.
import http from 'node:http';

const [apiKey] = process.argv.slice(2);
const body = JSON.stringify({
  ok: true,
  items: [
    { id: 1, name: 'first' },
    { id: 2, name: 'second' },
  ],
});
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.headers['x-api-key'] !== apiKey) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end('{"error":"bad key"}');
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })),
);
process.on('SIGTERM', () => process.exit(0));
