// Starts the built API (apps/api/dist) with the built console, as `npm start` does, in a child process of the
// test: the real server, not Jest's module registry. Prints "READY <url>" once it listens; stops on SIGTERM or
// when its stdin closes (the test process went away).
const path = require('node:path');

const api = path.resolve(__dirname, '../../../api/dist');
const { loadConfig } = require(path.join(api, 'config.js'));
const { startServer } = require(path.join(api, 'server.js'));

async function main() {
  const server = await startServer(loadConfig(process.env));
  process.stdout.write(`READY ${server.url}\n`);
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await server.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
