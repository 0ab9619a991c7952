import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import {
  AddressNotAllowedError,
  checkUrlTarget,
  createGuardedAgent,
  createGuardedFetch,
  isTrustedOrigin,
} from './guard';

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

  test('the trusted origin (an IP-literal PUBLIC_URL) passes; its other ports and schemes do not', () => {
    const trusted = 'http://127.0.0.1:4100';
    expect(() => checkUrlTarget(new URL('http://127.0.0.1:4100/sandbox/api'), false, trusted)).not.toThrow();
    for (const other of ['http://127.0.0.1:4101/', 'https://127.0.0.1:4100/', 'http://[::1]:4100/'])
      expect(() => checkUrlTarget(new URL(other), false, trusted)).toThrow(AddressNotAllowedError);
    expect(() => checkUrlTarget(new URL('http://[::1]:4100/x'), false, 'http://[::1]:4100')).not.toThrow();
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

  // The sandbox makes the agent compare each connection with this server's origin. undici hands an IPv6
  // host over without brackets, and building `http://::1:port` to compare threw "Invalid URL": an
  // INTERNAL_SERVER_ERROR for every IPv6-literal upstream while the sandbox was on.
  describe('IPv6 literals while a trusted origin (the sandbox) is set', () => {
    let v6: http.Server;
    let v6port: number;
    let v6hits = 0;
    beforeAll(async () => {
      v6 = http.createServer((_req, res) => res.end('v6'));
      v6.on('connection', () => v6hits++);
      await new Promise<void>((r) => v6.listen(0, '::1', r));
      v6port = (v6.address() as AddressInfo).port;
    });
    afterAll(() => new Promise((r) => v6.close(r)));
    const sandbox = () => 'http://127.0.0.1:4000';

    test('an IPv6-literal upstream is reached when private networks are allowed', async () => {
      const agent = createGuardedAgent({ allowPrivate: true, trustedOrigin: sandbox });
      const res = await request(`http://[::1]:${v6port}/`, { dispatcher: agent });
      expect(await res.body.text()).toBe('v6');
      await agent.close();
    });

    test('and refused as HOST_NOT_ALLOWED, before any connection, when they are not', async () => {
      v6hits = 0;
      const agent = createGuardedAgent({ allowPrivate: false, trustedOrigin: sandbox });
      const refused = request(`http://[::1]:${v6port}/`, { dispatcher: agent });
      await expect(refused).rejects.toBeInstanceOf(AddressNotAllowedError);
      await expect(refused).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
      expect(v6hits).toBe(0);
      await agent.close();
    });

    test('a trusted origin on an IPv6 literal is matched exactly: scheme, host and port', async () => {
      const trusted = () => `http://[::1]:${v6port}`;
      const agent = createGuardedAgent({ allowPrivate: false, trustedOrigin: trusted });
      expect(await (await request(`http://[::1]:${v6port}/`, { dispatcher: agent })).body.text()).toBe('v6');
      await agent.close();
      const target = { protocol: 'http:', hostname: '::1', port: v6port };
      expect(isTrustedOrigin(trusted(), target)).toBe(true);
      expect(isTrustedOrigin(trusted(), { ...target, hostname: '[::1]' })).toBe(true);
      expect(isTrustedOrigin(trusted(), { ...target, port: v6port + 1 })).toBe(false);
      expect(isTrustedOrigin(trusted(), { ...target, protocol: 'https:' })).toBe(false);
      expect(isTrustedOrigin('https://[::1]', { protocol: 'https:', hostname: '::1', port: '' })).toBe(true);
    });
  });
});
