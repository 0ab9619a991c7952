import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../test-support/server';
import { consoleDir } from './console';

jest.setTimeout(60_000);

// Issue 17, item 9: the built console (apps/admin/dist, precompressed by its Vite build) is sent compressed
// with brotli or gzip as the client accepts, hashed assets cached for good, index.html always revalidated,
// and a favicon. Raw HTTP (node:http), so nothing decompresses behind the test's back.

const built = consoleDir(undefined);
if (!built) throw new Error('The console is not built (apps/admin/dist): run `npx turbo run build` first.');

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

describe('the console over HTTP', () => {
  let t: TestServer;
  let script: string;

  const get = (target: string, headers: Record<string, string> = {}) =>
    new Promise<Raw>((resolve, reject) => {
      http
        .get(`${t.url}${target}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        })
        .on('error', reject);
    });
  const decoded = (r: Raw) =>
    r.headers['content-encoding'] === 'br'
      ? brotliDecompressSync(r.body)
      : r.headers['content-encoding'] === 'gzip'
        ? gunzipSync(r.body)
        : r.body;

  beforeAll(async () => {
    t = await startTestServer('sqlite', { CONNECTIONS_CONSOLE_DIR: built });
    const html = fs.readFileSync(path.join(built, 'index.html'), 'utf8');
    script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  });
  afterAll(() => t?.close());

  test('a hashed asset: brotli when accepted, gzip otherwise, identity last; immutable', async () => {
    const raw = fs.readFileSync(path.join(built, script));
    const br = await get(script, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(decoded(br).equals(raw)).toBe(true);
    // The point of it: what crosses the network is a fraction of the file.
    expect(br.body.length).toBeLessThan(raw.length * 0.4);

    const gz = await get(script, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decoded(gz).equals(raw)).toBe(true);

    const refused = await get(script, { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(raw)).toBe(true);
    const plain = await get(script);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  test('index.html, at / and on client routes: compressed, never cached without revalidation', async () => {
    for (const target of ['/', '/connections/42']) {
      const r = await get(target, { accept: 'text/html', 'accept-encoding': 'br, gzip' });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['content-encoding']).toBe('br');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers.vary).toMatch(/Accept-Encoding/i);
      expect(decoded(r).toString('utf8')).toContain('<div id="app"></div>');
    }
    const direct = await get('/index.html', { 'accept-encoding': 'gzip' });
    expect(direct.headers['cache-control']).toBe('no-cache');
    expect(direct.headers['content-encoding']).toBe('gzip');
  });

  test('a favicon, linked from index.html', async () => {
    const html = decoded(await get('/', { accept: 'text/html' })).toString('utf8');
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml"');
    const icon = await get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(icon.headers['cache-control']).toBe('public, max-age=86400');
  });
});
