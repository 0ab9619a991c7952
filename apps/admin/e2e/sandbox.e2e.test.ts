import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, collectPageErrors, launchChromium, screenshot } from './support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startApi, type ApiServer } from './support/stack';

/**
 * The README's "Try it in five minutes", in the built console against the built-in sandbox and nothing else:
 * no OAuth server of the test's own, no private-network exception, no client credentials typed anywhere.
 * Create and Connect "Sandbox (OAuth 2.0)" through its consent page, call the contacts API, then make the
 * sandbox misbehave and watch the connection page follow live: REFRESHED, REFRESH_FAILED, NEEDS_REAUTH.
 */
jest.setTimeout(240_000);

const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
const suite = present ? describe : describe.skip;

suite('sandbox journey', () => {
  let api: ApiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let adminCookie: string;

  beforeAll(async () => {
    [api, browser] = await Promise.all([
      startApi({ env: { CONNECTIONS_SANDBOX: 'true' }, allowPrivateNetworks: false }),
      launchChromium(),
    ]);
    adminCookie = await api.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.stop();
  });

  const control = async (body: Record<string, unknown>) => {
    const res = await fetch(`${api.url}/sandbox/control`, {
      method: 'POST',
      headers: { cookie: adminCookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const statusBadge = (status: string) =>
    page.getByTestId('connection-status').and(page.locator(`[data-status="${status}"]`));
  const send = () => page.getByTestId('send-request').click();
  /** Sends again until the status badge shows `status` (each try waits up to a second for it). */
  const sendUntil = async (status: string) => {
    for (let tries = 0; ; tries++) {
      await send();
      const shown = await statusBadge(status)
        .waitFor({ timeout: 1000 })
        .then(() => true)
        .catch(() => false);
      if (shown) return;
      if (tries >= 30) throw new Error(`the connection never showed ${status}`);
    }
  };
  /**
   * Resolves once the sandbox counts the open connection's access token as expired under a 1-second lifetime.
   * The sandbox decides in whole seconds from the token's issue time, which is no later than the
   * authorization's last update: wait for that moment, not for a fixed pause.
   */
  const tokenExpiredAtSandbox = async () => {
    const id = /\/connections\/([0-9a-f-]{36})/.exec(page.url())?.[1];
    const r = await api.gql<{ connection: { authorization: { updatedAt: string } } }>(
      'query($id: ID) { connection(id: $id) { authorization { updatedAt } } }',
      { id },
      adminCookie,
    );
    const issuedBy = Math.floor(Date.parse(r.connection.authorization.updatedAt) / 1000);
    while (Math.floor(Date.now() / 1000) <= issuedBy + 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
  };

  test('Create and Connect "Sandbox (OAuth 2.0)": consent page, CONNECTED, contacts', async () => {
    await page.goto(api.url);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/connections$/);

    await page.getByTestId('add-connection').click();
    await page.getByLabel('Search services').fill('sandbox');
    await page.locator('.tile[data-slug="sandbox-oauth2"]').waitFor();
    expect(await page.locator('.tile').count()).toBe(4);
    await screenshot(page, 'sandbox-01-catalog', { fullPage: false, docs: 'sandbox-catalog.png' });
    await page.locator('.tile[data-slug="sandbox-oauth2"]').click();
    await page.waitForURL(/\/connections\/new\/sandbox-oauth2/);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Contacts');

    const popupOpened = context.waitForEvent('page');
    await page.getByTestId('create-and-connect').click();
    const popup = await popupOpened;
    // The consent page runs under the server's Content-Security-Policy: Chromium reports any refusal.
    const popupErrors = collectPageErrors(popup);
    await popup.getByRole('button', { name: 'Approve' }).waitFor();
    expect(await popup.evaluate(() => getComputedStyle(document.body).fontFamily)).toMatch(/system-ui/);
    expect(await popup.locator('#scopes').textContent()).toContain('contacts.read');
    await popup.setViewportSize({ width: 640, height: 420 });
    await screenshot(popup, 'sandbox-02-consent', { fullPage: false, docs: 'sandbox-consent.png' });
    await popup.getByRole('button', { name: 'Approve' }).click();
    await popup.waitForEvent('close', { timeout: 30_000 });
    expect(popupErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await page.locator('[data-testid="new-connection-status"][data-status="CONNECTED"]').waitFor();

    await page.getByTestId('open-connection').click();
    await statusBadge('CONNECTED').waitFor();
    await expectText(page.getByTestId('upstream-account'), /sandbox-user/);
    await page.getByLabel('URL, relative to the base URL').fill('contacts');
    await send();
    await expectText(page.getByTestId('response-status'), /^200$/);
    await expectText(page.getByTestId('response-body'), /Ada Lovelace/);
  });

  test('an expired token is refreshed on the next call, and the page shows it live', async () => {
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    await control({ accessTokenTtlSeconds: 1 });
    await tokenExpiredAtSandbox();
    // Another path than before, so the body seen is this call's answer, not the previous one's.
    await page.getByLabel('URL, relative to the base URL').fill('me');
    await send();
    await expectText(page.getByTestId('response-body'), /Sandbox User/);
    await expectText(page.getByTestId('response-status'), /^200$/);
    await page.locator('[data-testid="audit-timeline"] [data-action="authorization.REFRESHED"]').waitFor();
    await statusBadge('CONNECTED').waitFor();
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await screenshot(page, 'sandbox-03-refreshed', { fullPage: false, docs: 'sandbox-refreshed.png' });
  });

  test('the token endpoint fails: REFRESH_FAILED, then the connection recovers', async () => {
    // The refreshed token (2 s) is due at half its life, and after a failure the refresh backs off (with jitter)
    // before it asks the token endpoint again: send until the status shows, rather than guessing a pause.
    await control({ tokenEndpointFailures: 5 });
    await sendUntil('REFRESH_FAILED');
    await screenshot(page, 'sandbox-04-refresh-failed');
    await control({ tokenEndpointFailures: 0, accessTokenTtlSeconds: 0 });
    await sendUntil('CONNECTED');
  });

  test('the grant is revoked at the provider: NEEDS_REAUTH', async () => {
    // A revoked grant's access token stops working at once (401); the refresh that follows gets invalid_grant.
    await control({ revokeGrants: true });
    await send();
    await statusBadge('NEEDS_REAUTH').waitFor();
    await screenshot(page, 'sandbox-05-needs-reauth');
    await control({ accessTokenTtlSeconds: 0 });
    expect(pageErrors.filter((e) => !/401|403|Failed to load resource/.test(e))).toEqual([]);
  });
});

async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp) {
  await locator.first().waitFor();
  const deadline = Date.now() + 10_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.first().textContent()) ?? '';
    if (pattern.test(text.trim())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${pattern} in "${text}"`);
}
