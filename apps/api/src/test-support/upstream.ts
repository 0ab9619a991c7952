import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { waitFor } from './wait';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  /** http://<host>:<port>, with IPv6 hosts in brackets. */
  url: string;
  port: number;
  /** Requests whose body was read to the end (handlers that stream get none recorded). */
  seen: SeenRequest[];
  /** Sockets ever accepted: a refused invocation must leave this at zero. */
  accepted(): number;
  /** Sockets open right now. */
  open(): number;
  /** Resolves once no socket is open (or rejects after `timeoutMs`): what "no socket leaked" waits for. */
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export type UpstreamHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: string,
) => void | Promise<void>;

/**
 * A loopback HTTP server for invocation tests that counts sockets (accepted, open) so tests can prove that
 * nothing was sent, or that nothing leaked. By default the request body is read first and recorded; with
 * `streaming`, the handler gets the request unread (and an empty body string).
 */
export async function startUpstream(
  handler: UpstreamHandler,
  opts: { host?: string; streaming?: boolean } = {},
): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = http.createServer((req, res) => {
    const run = (body: string) =>
      Promise.resolve(handler(req, res, body)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(e));
        else res.destroy();
      });
    if (opts.streaming) return void run('');
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      void run(body);
    });
  });
  server.on('connection', (socket: Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    seen,
    accepted: () => accepted,
    open: () => sockets.size,
    drained: async (timeoutMs = 10_000) => {
      await waitFor(() => sockets.size === 0, {
        timeoutMs,
        message: () => `${sockets.size} upstream socket(s) still open`,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Polls `check` until it holds (or throws after `timeoutMs`): waiting on an outcome, never asserting a time. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  await waitFor(check, { timeoutMs });
}
