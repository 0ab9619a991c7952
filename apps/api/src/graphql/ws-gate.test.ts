import type { IncomingMessage } from 'node:http';
import { loadConfig } from '../config';
import { clientAddressReader, connectionGate, cookieOrigins } from './ws-gate';

const KEY = 'a'.repeat(43) + '=';

test("cookie sockets: the public URL's origin; in development also the console's dev server", () => {
  const dev = loadConfig({ NODE_ENV: 'development', CONNECTIONS_SANDBOX: 'false' });
  expect(cookieOrigins(dev, 4000)).toEqual(['http://localhost:4000', 'http://localhost:5173']);
  const prod = loadConfig({
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://connections.example.com/',
    CONNECTIONS_ENCRYPTION_KEY: KEY,
  });
  expect(cookieOrigins(prod, 4000)).toEqual(['https://connections.example.com']);
  const test = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'http://127.0.0.1:8080/base' });
  expect(cookieOrigins(test, 4000)).toEqual(['http://127.0.0.1:8080']);
});

const request = (peer: string, forwarded?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
  }) as unknown as IncomingMessage;

test('the client address is read as req.ip is: X-Forwarded-For only through trusted proxies', () => {
  const untrusting = clientAddressReader(false);
  expect(untrusting(request('::ffff:198.51.100.7', '203.0.113.9'))).toBe('198.51.100.7');
  const oneHop = clientAddressReader(1);
  expect(oneHop(request('10.0.0.2', '203.0.113.9, 198.51.100.1'))).toBe('198.51.100.1');
  const loopback = clientAddressReader(['loopback']);
  expect(loopback(request('127.0.0.1', '203.0.113.9'))).toBe('203.0.113.9');
  expect(loopback(request('198.51.100.7', '203.0.113.9'))).toBe('198.51.100.7');
});

test('the gate refuses past the per-address cap (429) and the total (503), and frees a closed socket', () => {
  const gate = connectionGate(
    {
      maxConnections: 3,
      maxConnectionsPerAddress: 2,
      maxPayloadBytes: 1024,
      initTimeoutMs: 1000,
      maxSubscriptions: 1,
    },
    (r) => r.socket.remoteAddress!,
  );
  const verdict = (peer: string) => {
    let answer: [boolean, number?] = [false];
    gate.verify({ req: request(peer) }, (ok, code) => (answer = [ok, code]));
    return answer;
  };
  const closers: (() => void)[] = [];
  const opened = (peer: string) => {
    const socket = { once: (_: string, f: () => void) => closers.push(f) };
    gate.opened(socket as never, request(peer));
  };
  expect(verdict('a')).toEqual([true, undefined]);
  opened('a');
  opened('a');
  expect(verdict('a')).toEqual([false, 429]);
  expect(verdict('b')).toEqual([true, undefined]);
  opened('b');
  expect(verdict('c')).toEqual([false, 503]);
  closers[0]!();
  expect(verdict('a')).toEqual([true, undefined]);
});
