import type { AddressInfo, Socket } from 'node:net';
import http from 'node:http';
import type { ServiceDefinition } from '../types';
import { revokeCredentials } from './revoke';

// RFC 7009: only the status of a revoke answer matters. A revoke URL comes from a service definition, so
// its server may answer with a body that never ends: it must neither fill memory nor hold the revoke.
describe('revokeCredentials reads at most a little of the answer', () => {
  let server: http.Server;
  let url: string;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'.repeat(64 * 1024)), 1);
      res.on('close', () => clearInterval(timer));
    });
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/revoke`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });

  it('an endless 200 counts as revoked, at once, and the connection is dropped', async () => {
    const service = { displayName: 'Endless', revokeUrl: url } as ServiceDefinition;
    const credentials = { type: 'OAUTH2' as const, accessToken: 'at', tokenType: 'bearer', scopes: [] };
    const result = await revokeCredentials(service, null, credentials, { timeoutMs: 60_000 });
    expect(result).toEqual({ revoked: true, status: 200 });
    await new Promise((r) => setTimeout(r, 50));
    expect(sockets.size).toBe(0);
  }, 10_000);
});
