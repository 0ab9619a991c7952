import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, collectPageErrors, launchChromium, screenshot } from './support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startApi, type ApiServer } from './support/stack';

/**
 * Issue 14, in the built console: "Try a request" uploads files (multipart/form-data, checked byte for byte
 * at a loopback upstream by their SHA-256), retries a GET that first answers 503, and shows the attempts made
 * and the provider's rate-limit figures.
 */
jest.setTimeout(240_000);

const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
const suite = present ? describe : describe.skip;

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

/** POST /api/upload: the multipart body as the upstream read it; GET /api/flaky: 503 once, then 200. */
async function startFilesUpstream() {
  let flakyHits = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (req.url === '/api/upload') {
        const form = await new Response(Buffer.concat(chunks), {
          headers: { 'content-type': req.headers['content-type'] ?? '' },
        }).formData();
        const files = await Promise.all(
          (form.getAll('file') as File[]).map(async (f) => ({
            name: f.name,
            sha: sha(new Uint8Array(await f.arrayBuffer())),
          })),
        );
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ note: form.get('note'), files }));
      }
      flakyHits += 1;
      if (flakyHits === 1) return void res.writeHead(503, { 'retry-after': '0' }).end();
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    flakyHits: () => flakyHits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

suite('console: Try a request with files, retries and rate limits', () => {
  let api: ApiServer;
  let upstream: Awaited<ReturnType<typeof startFilesUpstream>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    [api, upstream, browser] = await Promise.all([startApi(), startFilesUpstream(), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await upstream?.close();
    await api?.stop();
  });
  afterEach(async () => {
    const state = expect.getState();
    if (state.assertionCalls !== state.numPassingAsserts) await screenshot(page, 'try-request-failure');
  });

  test('upload two files, then a retried GET shows its attempts and rate-limit figures', async () => {
    await page.goto(api.url);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/connections$/);
    const created = await page.evaluate(async (base) => {
      const gql = async (query: string, variables: Record<string, unknown>) => {
        const r = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        return (await r.json()).data;
      };
      const service = await gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Files API',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${base}/api/`],
          },
        },
      );
      const made = await gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id } } }',
        { i: { name: 'Files', service: service.createCustomService.slug, credentials: { apiKey: 'k' } } },
      );
      return made.createAndConnect.connection as { id: string };
    }, upstream.url);

    await page.goto(`${api.url}/connections/${created.id}`);
    await page.getByTestId('send-request').waitFor();
    await page.locator('#try-method').selectOption('POST');
    await page.getByLabel('URL, relative to the base URL').fill('upload');
    const one = randomBytes(50_000);
    const two = Buffer.from('plain text\r\n');
    await page.getByTestId('try-files').setInputFiles([
      { name: 'one.bin', mimeType: 'application/octet-stream', buffer: one },
      { name: 'two.txt', mimeType: 'text/plain', buffer: two },
    ]);
    await page.locator('.file-row').nth(1).waitFor();
    await page.locator('#try-body').fill('note=from the console');
    await page.getByTestId('send-request').click();
    await page.getByTestId('response-status').filter({ hasText: '200' }).waitFor();
    const echoed = JSON.parse((await page.getByTestId('response-body').textContent()) ?? '{}');
    expect(echoed).toEqual({
      note: 'from the console',
      files: [
        { name: 'one.bin', sha: sha(one) },
        { name: 'two.txt', sha: sha(two) },
      ],
    });
    // A single attempt says nothing about attempts; no rate-limit headers, no figures.
    expect(await page.getByTestId('response-attempts').count()).toBe(0);
    expect(await page.getByTestId('response-rate-limit').count()).toBe(0);

    await page.locator('#try-method').selectOption('GET');
    await page.getByLabel('URL, relative to the base URL').fill('flaky');
    await page.getByTestId('try-retry').check();
    await page.getByTestId('send-request').click();
    await page.getByTestId('response-attempts').filter({ hasText: '2 attempts' }).waitFor();
    expect(await page.getByTestId('response-status').textContent()).toContain('200');
    expect(await page.getByTestId('response-rate-limit').textContent()).toMatch(
      /Rate limit: 4,999 of 5,000 left, resets at/,
    );
    expect(upstream.flakyHits()).toBe(2);
    await screenshot(page, 'try-request-retried');
    // Retrying is not offered for a POST (the API would refuse it).
    await page.locator('#try-method').selectOption('POST');
    expect(await page.getByTestId('try-retry').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
