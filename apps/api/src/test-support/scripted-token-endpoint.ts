import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface ScriptedTokenEndpoint {
  /** The token URL to give a service as its refreshUrl. */
  url: string;
  /** Token requests that reached this endpoint (answered, failed or held). */
  requests: number;
  /** `forward` to the provider, `fail` with 503, or `hold` each request until `release()`. */
  mode: 'forward' | 'fail' | 'hold';
  /** A scope removed from the `scope` of the provider's answers (a provider granting fewer on refresh). */
  dropScope?: string;
  /** Requests held so far and not yet released. */
  held(): number;
  /** Forwards every held request. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A token endpoint in front of the provider's, scripted by the test: it forwards (optionally narrowing the
 * granted scope), answers 503 like a provider in an outage, or holds requests so the test can look at the
 * authorization while its refresh is in flight. It counts every request it receives.
 */
export async function startScriptedTokenEndpoint(target: string): Promise<ScriptedTokenEndpoint> {
  const waiting: (() => void)[] = [];
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    request(target, { method: 'POST', headers, body }).then(
      async (up) => {
        let payload = Buffer.from(await up.body.arrayBuffer());
        const drop = state.dropScope;
        if (drop && up.statusCode === 200) {
          const json = JSON.parse(payload.toString('utf8')) as { scope?: string };
          json.scope = (json.scope ?? '')
            .split(' ')
            .filter((s) => s && s !== drop)
            .join(' ');
          payload = Buffer.from(JSON.stringify(json));
        }
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
      state.requests += 1;
      const body = Buffer.concat(chunks);
      if (state.mode === 'fail') {
        res.writeHead(503, { 'content-type': 'text/plain' });
        return res.end('Service Unavailable');
      }
      if (state.mode === 'hold') return void waiting.push(() => forward(req, res, body));
      forward(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const state: ScriptedTokenEndpoint = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    requests: 0,
    mode: 'forward',
    held: () => waiting.length,
    release: () => {
      for (const go of waiting.splice(0)) go();
    },
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
  return state;
}
