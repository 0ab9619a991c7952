import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';

/** A refresh request stopped at the proxy, not forwarded: the provider has rotated nothing. */
export interface HeldRequest {
  /** The client port of the connection it came on: tells which process sent it. */
  remotePort: number;
  refreshToken: string;
  /** Resolves once the sender's socket has closed (it was killed, or gave up). */
  closed: Promise<void>;
  /** Answers nothing and closes the socket. */
  drop(): void;
}

export interface TokenProxy {
  /** The token URL to give a service as its refreshUrl. */
  url: string;
  /** Every refresh token presented to the proxy, in order, held ones included. */
  presented: string[];
  /** The refresh tokens actually sent to the provider, in order. */
  forwarded: string[];
  /** Refresh tokens the provider was shown more than once: reuse, which makes it revoke the grant. */
  reused(): string[];
  /** Holds the next refresh request instead of forwarding it; resolves when it arrives. */
  holdNext(): Promise<HeldRequest>;
  close(): Promise<void>;
}

/**
 * A token endpoint in front of oidc-provider's, for the refresh tests across replicas. It sees the refresh
 * token each request presents, so it can tell whether the provider was ever shown one twice (the reuse that
 * revokes a rotating grant), and it can hold one request unanswered: a replica then holds the refresh lock
 * mid-refresh, before the provider has rotated anything, which is the moment to kill it.
 */
export async function startTokenProxy(target: string): Promise<TokenProxy> {
  const presented: string[] = [];
  const forwarded: string[] = [];
  const sockets = new Set<Socket>();
  let armed: ((held: HeldRequest) => void) | undefined;

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    request(target, { method: 'POST', headers, body }).then(
      async (up) => {
        const payload = Buffer.from(await up.body.arrayBuffer());
        res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? '') });
        res.end(payload);
      },
      () => res.writeHead(502).end(),
    );
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      const refreshToken = form.get('grant_type') === 'refresh_token' ? form.get('refresh_token') : null;
      if (refreshToken === null) return forward(req, res, body);
      presented.push(refreshToken);
      const hold = armed;
      if (hold) {
        armed = undefined;
        const socket = req.socket;
        const closed = new Promise<void>((resolve) => {
          if (socket.destroyed) resolve();
          else socket.once('close', () => resolve());
        });
        return hold({
          remotePort: socket.remotePort!,
          refreshToken,
          closed,
          drop: () => socket.destroy(),
        });
      }
      forwarded.push(refreshToken);
      forward(req, res, body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/token`,
    presented,
    forwarded,
    reused: () => forwarded.filter((t, i) => forwarded.indexOf(t) !== i),
    holdNext: () => new Promise<HeldRequest>((resolve) => (armed = resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
