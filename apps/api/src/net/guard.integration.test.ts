import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { AddressNotAllowedError, checkUrlTarget, createGuardedAgent, createGuardedFetch } from './guard';

describe('network guard', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    server.on('connection', () => hits++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  test.each([
    'http://127.0.0.1:1/',
    'http://[::1]/',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.1/',
    'http://2130706433/',
    'http://[::ffff:127.0.0.1]/',
  ])('an IP literal outside the policy is refused before any connection: %s', (url) => {
    expect(() => checkUrlTarget(new URL(url), false)).toThrow(AddressNotAllowedError);
    expect(() => checkUrlTarget(new URL(url), true)).not.toThrow();
  });

  test('only http and https', () => {
    expect(() => checkUrlTarget(new URL('ftp://example.com/'), true)).toThrow(/Only http and https/);
    expect(() => checkUrlTarget(new URL('file:///etc/passwd'), true)).toThrow(/Only http and https/);
  });

  test('a host name that resolves to loopback is refused at connect time, and no byte reaches the server', async () => {
    hits = 0;
    const agent = createGuardedAgent({ allowPrivate: false });
    await expect(request(`http://localhost:${port}/`, { dispatcher: agent })).rejects.toThrow(
      /resolves to a refused address/,
    );
    expect(hits).toBe(0);
    await agent.close();
  });

  test('with private networks allowed, the same request goes through', async () => {
    const agent = createGuardedAgent({ allowPrivate: true });
    const res = await request(`http://localhost:${port}/`, { dispatcher: agent });
    expect(await res.body.text()).toBe('ok');
    await agent.close();
  });

  test('the guarded fetch (token refresh) refuses metadata literals and names that resolve to loopback', async () => {
    hits = 0;
    const agent = createGuardedAgent({ allowPrivate: false });
    const guardedFetch = createGuardedFetch(agent, (url) => checkUrlTarget(url, false));
    await expect(guardedFetch('http://169.254.169.254/latest/meta-data/', {})).rejects.toThrow(
      AddressNotAllowedError,
    );
    await expect(guardedFetch(`http://localhost:${port}/token`, { method: 'POST' })).rejects.toThrow();
    expect(hits).toBe(0);
    const open = createGuardedFetch(createGuardedAgent({ allowPrivate: true }), (url) =>
      checkUrlTarget(url, true),
    );
    expect(await (await open(`http://localhost:${port}/token`, {})).text()).toBe('ok');
    await agent.close();
  });
});
