import express from 'express';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { WebSocket } from 'ws';
import { type Config, publicUrlFor } from '../config';

// The console's dev server (apps/admin/vite.config.ts: port 5173, proxying /graphql with changeOrigin off,
// so the browser's Origin arrives unchanged). `npm run dev` serves the console from there.
const DEV_SERVER_ORIGIN = 'http://localhost:5173';

/** The origins whose pages may open a socket authenticated by the session cookie. */
export function cookieOrigins(config: Config, port: number): string[] {
  const own = new URL(publicUrlFor(config, port)).origin;
  return config.env === 'development' ? [own, DEV_SERVER_ORIGIN] : [own];
}

type Trust = (address: string, hop: number) => boolean;

/**
 * The client address of an upgrade, read as Express reads `req.ip` for HTTP (the same `trust proxy` setting,
 * compiled by Express itself): the TCP peer, then X-Forwarded-For from the nearest hop while the hop is a
 * trusted proxy (proxy-addr's walk). With CONNECTIONS_TRUST_PROXY unset, the TCP peer: behind a proxy that is
 * not trusted, every client shares the proxy's address and its cap.
 */
export function clientAddressReader(trustProxy: Config['trustProxy']) {
  const trust = express().set('trust proxy', trustProxy).get('trust proxy fn') as Trust;
  return (request: IncomingMessage): string => {
    const forwarded = String(request.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .reverse();
    const hops = [request.socket.remoteAddress ?? 'unknown', ...forwarded];
    let i = 0;
    while (i < hops.length - 1 && trust(hops[i]!, i)) i += 1;
    const address = hops[i]!;
    // IPv4-mapped IPv6 folded, so both spellings of one client count as one.
    return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  };
}

type Verified = (ok: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;

/**
 * Caps sockets in all and per client address, authenticated or not: a socket waiting for connection_init
 * holds memory too. A refused upgrade is answered with an HTTP status before the handshake completes
 * (RFC 6455 section 4.2.2): 429 when this address has too many, 503 when the server has.
 *
 * `verify` answers synchronously and ws completes an accepted upgrade in the same tick, emitting
 * `connection`, where `opened` counts the socket: no second upgrade can slip in between the check and the count.
 */
export function connectionGate(caps: Config['graphqlWs'], clientAddress: (r: IncomingMessage) => string) {
  const perAddress = new Map<string, number>();
  let total = 0;
  return {
    verify(info: { req: IncomingMessage }, done: Verified): void {
      if (total >= caps.maxConnections)
        return done(false, 503, 'Too many WebSocket connections.', { 'Retry-After': '30' });
      if ((perAddress.get(clientAddress(info.req)) ?? 0) >= caps.maxConnectionsPerAddress)
        return done(false, 429, 'Too many WebSocket connections from this address.', { 'Retry-After': '30' });
      done(true);
    },
    opened(socket: WebSocket, request: IncomingMessage): void {
      const address = clientAddress(request);
      total += 1;
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
      socket.once('close', () => {
        total -= 1;
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
    },
  };
}
