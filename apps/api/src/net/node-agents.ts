import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { guardedLookup, isTrustedOrigin, literalRefusal } from './guard';

/** A response that outgrew its limit; the socket is destroyed at the first byte past it. */
export class ResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
}

/** A request that outlived its deadline, however steadily the peer kept sending. */
export class DeadlineExceededError extends Error {
  readonly code = 'ETIMEDOUT';
}

export interface GuardedNodeAgentOptions {
  allowPrivate: boolean;
  /** This server's own origin when the sandbox is on: the one private origin let through. */
  trustedOrigin?: () => string | undefined;
  /** Whole-request deadline, from connect to the last byte. */
  timeoutMs: number;
  /** Bytes read from the socket (headers included) before it is destroyed. */
  maxResponseBytes: number;
}

type ConnectOptions = http.ClientRequestArgs & { protocol?: string | null };
type Callback = (err: Error | null, stream: Duplex) => void;

/** The byte limit and the deadline, on a socket that serves exactly one request (no keep-alive). */
function bound(socket: Duplex, opts: GuardedNodeAgentOptions, host: string): Duplex {
  let received = 0;
  const deadline = setTimeout(
    () => socket.destroy(new DeadlineExceededError(`${host} did not answer within ${opts.timeoutMs} ms.`)),
    opts.timeoutMs,
  );
  deadline.unref();
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > opts.maxResponseBytes)
      socket.destroy(
        new ResponseTooLargeError(`${host} answered with more than ${opts.maxResponseBytes} bytes.`),
      );
  });
  socket.once('close', () => clearTimeout(deadline));
  return socket;
}

/**
 * Node `http.Agent`s for code that speaks node:http rather than undici: grant's token exchange, OAuth 1.0a
 * steps and profile request (through request-compose). The same policy as the undici agent in guard.ts:
 * IP literals judged before connecting, names resolved by the guarded lookup (every address checked, the
 * socket connects to the address that was checked), only the sandbox's exact origin exempt; plus a
 * deadline and a byte limit, since request-compose buffers a whole response and knows neither.
 */
export function createGuardedNodeAgents(opts: GuardedNodeAgentOptions): {
  http: http.Agent;
  https: https.Agent;
} {
  const lookup = guardedLookup(opts.allowPrivate);
  const guard = (options: ConnectOptions, protocol: string, cb: Callback): ConnectOptions | null => {
    const hostname = String(options.host ?? options.hostname ?? '');
    const target = { protocol, hostname, port: options.port };
    if (isTrustedOrigin(opts.trustedOrigin?.(), target)) return options;
    const refusal = literalRefusal(hostname, opts.allowPrivate);
    if (refusal) {
      // The agent's callback takes an error alone: the request fails with it, nothing is connected.
      (cb as (err: Error) => void)(refusal);
      return null;
    }
    return { ...options, lookup };
  };
  // keepAlive off: one socket per request, so the byte count and the deadline are per request.
  class GuardedHttpAgent extends http.Agent {
    override createConnection(options: ConnectOptions, cb: Callback): Duplex | null | undefined {
      const checked = guard(options, 'http:', cb);
      if (!checked) return undefined;
      const socket = super.createConnection(checked, cb);
      return socket && bound(socket, opts, String(checked.host));
    }
  }
  class GuardedHttpsAgent extends https.Agent {
    override createConnection(options: ConnectOptions, cb: Callback): Duplex | null | undefined {
      const checked = guard(options, 'https:', cb);
      if (!checked) return undefined;
      // https.Agent's createConnection is tls.connect underneath: `lookup` and `servername` pass through.
      const socket = super.createConnection(checked, cb);
      return socket && bound(socket, opts, String(checked.host));
    }
  }
  return {
    http: new GuardedHttpAgent({ keepAlive: false }),
    https: new GuardedHttpsAgent({ keepAlive: false }),
  };
}
