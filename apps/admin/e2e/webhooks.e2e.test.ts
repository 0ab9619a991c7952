import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, collectPageErrors, launchChromium, screenshot } from './support/browser';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startApi,
  startUpstream,
  type ApiServer,
  type Upstream,
} from './support/stack';

/**
 * The Webhooks page in the built console against the real server and its delivery worker: an admin adds an
 * endpoint pointing at a loopback receiver of the test (the e2e server allows private networks), copies the
 * signing secret shown once, sends a test event and sees it delivered in the log; the receiver checks the
 * signature with the secret the page showed. Then redeliver, disable/enable, and delete with confirmation.
 */
jest.setTimeout(180_000);

const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
const suite = present ? describe : describe.skip;

/** An independent check of `Connections-Signature: t=...,v1=...` (HMAC-SHA256 of "<t>.<body>"). */
function verify(header: string | undefined, body: string, secret: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  if (!parts.t || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('webhooks page', () => {
  let api: ApiServer;
  let receiver: Upstream;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let secret: string;

  beforeAll(async () => {
    [api, receiver, browser] = await Promise.all([startApi(), startUpstream(), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await receiver?.close();
    await api?.stop();
  });

  const endpoint = () => page.getByTestId('webhook');

  test('create an endpoint: the signing secret is shown once', async () => {
    await page.goto(api.url);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/connections$/);

    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL(/\/webhooks$/);
    await page.getByText('No webhook endpoints').waitFor();

    await page.getByTestId('add-webhook').click();
    // What the console checks itself, before asking the API.
    await page.getByLabel('URL').fill('not a url');
    await page.getByRole('button', { name: 'Add endpoint', exact: true }).click();
    await page.getByText('Enter a full URL').waitFor();

    await page.getByLabel('URL').fill(`${receiver.url}/hooks`);
    await page.getByLabel('NEEDS_REAUTH').check();
    await page.getByLabel('REVOKED').check();
    await page.getByRole('button', { name: 'Add endpoint', exact: true }).click();

    const shown = page.getByTestId('webhook-secret');
    await shown.getByText('It is shown only once').waitFor();
    secret = (await page.locator('#webhook-secret-value').textContent())!.trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await expect(endpoint().getByTestId('webhook-status').textContent()).resolves.toMatch(/Active/);
    await expect(endpoint().textContent()).resolves.toContain('NEEDS_REAUTH, REVOKED');
    await screenshot(page, 'webhooks-created');

    // Gone once stored, and never read back from the API.
    await shown.getByRole('button', { name: 'I stored it' }).click();
    await page.reload();
    await endpoint().waitFor();
    expect(await page.content()).not.toContain(secret);
  });

  test('send a test event: delivered, signed, in the log; then redeliver', async () => {
    await endpoint().getByRole('button', { name: 'Send test event' }).click();
    const log = page.locator('[data-testid^="deliveries-"]');
    const delivered = log.locator('tr[data-status="DELIVERED"]');
    await delivered.first().waitFor({ timeout: 30_000 });
    await expect(delivered.first().getByTestId('delivery-last').textContent()).resolves.toMatch(
      /HTTP 200 · \d+ ms/,
    );
    await expect(delivered.first().textContent()).resolves.toContain('Test event');
    await screenshot(page, 'webhooks-delivered');

    expect(receiver.seen).toHaveLength(1);
    const got = receiver.seen[0]!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hooks');
    expect(verify(got.headers['connections-signature'] as string, got.body, secret)).toBe(true);
    expect(verify(got.headers['connections-signature'] as string, got.body, 'whsec_wrong')).toBe(false);
    expect(got.body).not.toContain(secret);

    // Redeliver: the same delivery (idempotency key) sent again.
    await delivered.first().getByRole('button', { name: 'Redeliver' }).click();
    await until(() => receiver.seen.length === 2);
    const [first, second] = receiver.seen;
    const key = (h: typeof first) => h!.headers['connections-delivery'];
    expect(key(second)).toBeDefined();
    expect(key(second)).toBe(key(first));
    await delivered.first().waitFor({ timeout: 30_000 });
    expect(receiver.seen).toHaveLength(2);
  });

  test('disable and enable, rotate the secret, delete with confirmation', async () => {
    await endpoint().getByRole('button', { name: 'Disable' }).click();
    await endpoint().and(page.locator('[data-status="DISABLED"]')).waitFor();
    await endpoint().getByRole('button', { name: 'Enable' }).click();
    await endpoint().and(page.locator('[data-status="ACTIVE"]')).waitFor();

    await endpoint().getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByTestId('webhook-secret').getByText('new signing secret').waitFor();
    const rotated = (await page.locator('#webhook-secret-value').textContent())!.trim();
    expect(rotated).not.toBe(secret);

    await endpoint().getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('cannot be undone').waitFor();
    await dialog.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('No webhook endpoints').waitFor();

    expect(pageErrors.filter((e) => !/401|403|Failed to load resource/.test(e))).toEqual([]);
  });
});
