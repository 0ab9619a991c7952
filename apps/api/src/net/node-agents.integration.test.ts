import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { AddressNotAllowedError } from './guard';
import { createGuardedNodeAgents, DeadlineExceededError, ResponseTooLargeError } from './node-agents';

// The node:http side of the network guard (grant's token exchange, OAuth 1.0a steps and profile request use
// node:http): a listener on loopback counts every socket it accepts, so "refused" means not one byte sent.

function get(url: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, { agent, method: 'POST' }, (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end('client_secret=the-secret');
  });
}

describe('guarded node:http agents', () => {
  let server: http.Server;
  let port: number;
  let accepted = 0;
  const received: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        if (req.url === '/huge') {
          res.write('x'.repeat(3 * 1024 * 1024));
          return res.end();
        }
        if (req.url === '/trickle') {
          res.writeHead(200);
          const timer = setInterval(() => res.write('.'), 20);
          return res.on('close', () => clearInterval(timer));
        }
        res.end('token');
      });
    });
    server.on('connection', () => accepted++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    accepted = 0;
    received.length = 0;
  });

  const agents = (extra: Partial<Parameters<typeof createGuardedNodeAgents>[0]> = {}) =>
    createGuardedNodeAgents({
      allowPrivate: false,
      timeoutMs: 5_000,
      maxResponseBytes: 1024 * 1024,
      ...extra,
    });

  test.each(['http://127.0.0.1', 'http://2130706433', 'http://[::ffff:127.0.0.1]', 'http://localhost'])(
    '%s:<port> is refused before any socket reaches the listener; the secret goes nowhere',
    async (origin) => {
      const { http: agent } = agents();
      await expect(get(`${origin}:${port}/token`, agent)).rejects.toBeInstanceOf(AddressNotAllowedError);
      expect(accepted).toBe(0);
      expect(received).toEqual([]);
    },
  );

  test('https goes through the same policy', async () => {
    const { https: agent } = agents();
    await expect(get(`https://127.0.0.1:${port}/token`, agent)).rejects.toMatchObject({
      code: 'HOST_NOT_ALLOWED',
    });
    expect(accepted).toBe(0);
  });

  test('with private networks allowed, the request goes through', async () => {
    const { http: agent } = agents({ allowPrivate: true });
    expect(await get(`http://localhost:${port}/token`, agent)).toBe('token');
    expect(received).toEqual(['client_secret=the-secret']);
  });

  test('the trusted origin (the sandbox) passes exactly: scheme, host and port', async () => {
    const { http: agent } = agents({ trustedOrigin: () => `http://127.0.0.1:${port}` });
    expect(await get(`http://127.0.0.1:${port}/token`, agent)).toBe('token');
    const other = agents({ trustedOrigin: () => `http://127.0.0.1:${port + 1}` });
    await expect(get(`http://127.0.0.1:${port}/token`, other.http)).rejects.toBeInstanceOf(
      AddressNotAllowedError,
    );
  });

  test('an answer over the byte limit is cut off, not buffered', async () => {
    const { http: agent } = agents({ allowPrivate: true });
    await expect(get(`http://127.0.0.1:${port}/huge`, agent)).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  test('an answer that keeps trickling ends at the deadline', async () => {
    const { http: agent } = agents({ allowPrivate: true, timeoutMs: 300 });
    await expect(get(`http://127.0.0.1:${port}/trickle`, agent)).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
  });
});
