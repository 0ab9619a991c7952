// `count` graphql-ws subscribers in one process, on raw `ws` sockets speaking graphql-transport-ws (no client
// library between the socket and the clock). Arguments: url token count. Prints JSON lines:
//   {ready}                                 at start
//   {connected, start, end}                 once every socket is acknowledged (CLOCK_MONOTONIC ns)
//   {subscribed}                            once every subscribe message is written
//   {done, first, last}                     once every socket here has received the event of attempt `done`
import WebSocket from 'ws';

const [url, token, countArg] = process.argv.slice(2);
const count = Number(countArg);
const wsUrl = url.replace(/^http/, 'ws') + '/graphql';
const query = 'subscription { authorizationEvents { id type attemptId } }';
// Handshakes in flight at once: well under the server's listen backlog, so no SYN is dropped and retried.
const IN_FLIGHT = 64;

const out = (message) => process.stdout.write(JSON.stringify(message) + '\n');
const now = () => process.hrtime.bigint();
let stopping = false;
/** attemptId -> { seen, first, last } for this process's sockets. */
const arrivals = new Map();

function onEvent(attemptId, at) {
  let a = arrivals.get(attemptId);
  if (!a) arrivals.set(attemptId, (a = { seen: 0, first: at, last: at }));
  a.seen += 1;
  a.last = at;
  if (a.seen === count) {
    out({ done: attemptId, first: String(a.first), last: String(a.last) });
    arrivals.delete(attemptId);
  }
}

function open() {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on('message', (data) => {
      // Timestamp first: parsing is part of delivery, but the clock is read as soon as the frame is ours.
      const at = now();
      const message = JSON.parse(data.toString());
      if (message.type === 'next') {
        const event = message.payload.data?.authorizationEvents;
        if (event) onEvent(event.attemptId, at);
        else reject(new Error(`subscription error: ${JSON.stringify(message.payload)}`));
      } else if (message.type === 'connection_ack') resolve(socket);
      else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      else if (message.type === 'error') reject(new Error(JSON.stringify(message.payload)));
    });
    socket.on('close', (code, reason) => {
      const error = new Error(`socket closed by the server: ${code} ${reason}`);
      reject(error);
      // After the handshake the promise is settled: a socket lost mid-run would only show as a missing
      // delivery, so say it and stop.
      if (!stopping) {
        console.error(error.message);
        process.exit(1);
      }
    });
    socket.on('error', reject);
  });
}

out({ ready: true, pid: process.pid });
const start = now();
const sockets = [];
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(IN_FLIGHT, count) }, async () => {
    while (next < count) {
      next += 1;
      sockets.push(await open());
    }
  }),
);
out({ connected: sockets.length, start: String(start), end: String(now()) });
for (const [i, socket] of sockets.entries())
  socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query } }));
out({ subscribed: sockets.length });
process.on('SIGTERM', () => {
  stopping = true;
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
