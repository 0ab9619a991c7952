// `count` graphql-ws subscribers in one process, on raw `ws` sockets speaking graphql-transport-ws (no client
// library between the socket and the clock). Arguments: urls token count, where urls is one API URL or
// several separated by commas (the replicas of one deployment): socket i goes to urls[i % urls.length].
// Prints JSON lines:
//   {ready}                                 at start
//   {connected, start, end}                 once every socket is acknowledged (CLOCK_MONOTONIC ns)
//   {subscribed}                            once every subscribe message is written
//   {done, first, last, lasts}              once every socket here has received the event of attempt `done`;
//                                           lasts[k]: the last arrival among the sockets on urls[k]
import WebSocket from 'ws';

const [urlsArg, token, countArg] = process.argv.slice(2);
const count = Number(countArg);
const wsUrls = urlsArg.split(',').map((url) => url.replace(/^http/, 'ws') + '/graphql');
const query = 'subscription { authorizationEvents { id type attemptId } }';
// Handshakes in flight at once: well under the server's listen backlog, so no SYN is dropped and retried.
const IN_FLIGHT = 64;

const out = (message) => process.stdout.write(JSON.stringify(message) + '\n');
const now = () => process.hrtime.bigint();
let stopping = false;
/** attemptId -> { seen, first, last, lasts } for this process's sockets. */
const arrivals = new Map();

function onEvent(attemptId, target, at) {
  let a = arrivals.get(attemptId);
  if (!a) arrivals.set(attemptId, (a = { seen: 0, first: at, last: at, lasts: wsUrls.map(() => 0n) }));
  a.seen += 1;
  a.last = at;
  a.lasts[target] = at;
  if (a.seen === count) {
    out({ done: attemptId, first: String(a.first), last: String(a.last), lasts: a.lasts.map(String) });
    arrivals.delete(attemptId);
  }
}

function open(target) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrls[target], 'graphql-transport-ws', { perMessageDeflate: false });
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on('message', (data) => {
      // Timestamp first: parsing is part of delivery, but the clock is read as soon as the frame is ours.
      const at = now();
      const message = JSON.parse(data.toString());
      if (message.type === 'next') {
        const event = message.payload.data?.authorizationEvents;
        if (event) onEvent(event.attemptId, target, at);
        else {
          // The handshake is long settled: an error here would only show as a missing delivery, so say it.
          console.error(`subscription error: ${JSON.stringify(message.payload)}`);
          process.exit(1);
        }
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
    socket.on('error', (error) => {
      // A refused upgrade (e.g. 429 from a connection cap) shows only here; the close that follows says 1006.
      console.error(`socket error: ${error.message}`);
      reject(error);
    });
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
      sockets.push(await open((next - 1) % wsUrls.length));
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
