import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface Balancer {
  /** http://127.0.0.1:<port>: every replica's PUBLIC_URL. */
  url: string;
  port: number;
  /** The replicas' ports, in order; known only after the balancer listens (PUBLIC_URL comes first). */
  setTargets(ports: number[]): void;
  /** Skips a replica from now on (after a kill -9): a balancer's health check, made explicit. */
  markDead(index: number): void;
  /** Requests forwarded to each replica that have not been answered yet. */
  inFlight(): number[];
  /** How many HTTP requests and WebSocket upgrades each replica got. */
  forwarded(): number[];
  close(): Promise<void>;
}

/** The response header naming the replica (its index) that answered through the balancer. */
export const REPLICA_HEADER = 'x-test-replica';

/**
 * A round-robin HTTP + WebSocket balancer for the replica tests, with no stickiness: consecutive requests of
 * one client land on different replicas, which is exactly what the product must survive. A WebSocket upgrade
 * (graphql-ws on /graphql) is forwarded as raw bytes and the two sockets piped, as a TCP balancer would.
 */
export async function startBalancer(): Promise<Balancer> {
  let targets: number[] = [];
  const dead = new Set<number>();
  const pending: number[] = [];
  const counts: number[] = [];
  const sockets = new Set<Socket>();
  let next = 0;

  const pick = (): number => {
    for (let i = 0; i < targets.length; i++) {
      const index = next++ % targets.length;
      if (!dead.has(index)) return index;
    }
    throw new Error('no live replica');
  };
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const server = http.createServer((req, res) => {
    const index = pick();
    counts[index] = (counts[index] ?? 0) + 1;
    pending[index] = (pending[index] ?? 0) + 1;
    let settled = false;
    const done = () => {
      if (!settled) pending[index]! -= 1;
      settled = true;
    };
    const upstream = http.request(
      { host: '127.0.0.1', port: targets[index], method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, [REPLICA_HEADER]: String(index) });
        up.pipe(res);
        up.on('end', done);
        up.on('error', () => (done(), res.destroy()));
      },
    );
    // A replica killed mid-request: the client gets a 502 naming it, as from a real balancer.
    upstream.on('error', () => {
      done();
      if (!res.headersSent) res.writeHead(502, { [REPLICA_HEADER]: String(index) }).end('bad gateway');
      else res.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', track);

  server.on('upgrade', (req, client: Socket, head: Buffer) => {
    const index = pick();
    counts[index] = (counts[index] ?? 0) + 1;
    const upstream = net.connect(targets[index]!, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setTargets: (ports) => {
      targets = [...ports];
    },
    markDead: (index) => void dead.add(index),
    inFlight: () => targets.map((_, i) => pending[i] ?? 0),
    forwarded: () => targets.map((_, i) => counts[i] ?? 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
