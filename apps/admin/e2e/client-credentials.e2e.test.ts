import fs from 'node:fs';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible } from './support/axe';
import { CHROMIUM, collectPageErrors, launchChromium } from './support/browser';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startApi,
  startUpstream,
  type ApiServer,
  type Upstream,
} from './support/stack';

/**
 * A machine-to-machine OAuth 2.0 service (client credentials, RFC 6749 section 4.4) defined in the console
 * against a real OAuth server: the form hides what the grant has no use for (authorize URL, PKCE, profile and
 * refresh URLs, the callback to register), takes token parameters as rows, and Create and Connect connects
 * without opening any window; the call then carries the server-obtained token.
 */
jest.setTimeout(180_000);

const present = fs.existsSync(CHROMIUM);
const suite = present ? describe : describe.skip;
const SECRET = 'e2e-machine-client-secret';

suite('client credentials in the console', () => {
  let api: ApiServer;
  let oidc: OidcServer;
  let upstream: Upstream;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    api = await startApi();
    [oidc, upstream, browser] = await Promise.all([
      startOidcServer([
        {
          client_id: 'machine-e2e',
          client_secret: SECRET,
          redirect_uris: [],
          response_types: [],
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'api:read',
        },
      ]),
      startUpstream(),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
    await page.goto(api.url);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/connections$/);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await oidc?.stop();
    await upstream?.close();
    await api?.stop();
  });

  test('the grant select hides the browser fields and shows token parameters as rows', async () => {
    await page.goto(`${api.url}/connections/new?mode=custom`);
    await page.getByLabel('Service name').fill('Machine API');
    await page.locator('#svc-authorizeUrl').waitFor();
    await page.locator('#svc-redirect-uri').waitFor();
    await page.getByTestId('grant-type').selectOption('CLIENT_CREDENTIALS');
    for (const id of ['authorizeUrl', 'profileUrl', 'refreshUrl', 'authorizeParams', 'pkce', 'redirect-uri'])
      expect(await page.locator(`#svc-${id}`).count()).toBe(0);
    await page.getByLabel('Access token URL').fill(oidc.tokenUrl);
    await page.getByLabel('Client ID').fill('machine-e2e');
    await page.getByLabel('Client secret').fill(SECRET);
    await page.getByLabel('Token endpoint authentication').selectOption('CLIENT_SECRET_BASIC');
    await page.locator('#svc-scopes').fill('api:read');
    await page.keyboard.press('Enter');
    // A parameter the grant sets itself is caught as typed, then removed.
    await page.getByRole('button', { name: 'Add parameter' }).click();
    await page.getByLabel('Parameter 1 name').fill('scope');
    await page.getByLabel('Parameter 1 value').fill('x');
    await page.getByLabel('API base URLs').fill(`${upstream.url}/api`);
    await page.getByTestId('save-service').click();
    await expectText(page.locator('[data-field-error="svc-tokenParams"]'), /set by the grant itself/);
    await expectAccessible(page, 'client credentials service form');
    await page.getByRole('button', { name: /Remove parameter 1/ }).click();
    await page.getByTestId('save-service').click();
    await page.waitForURL(/\/connections\/new\/machine-api/);
  });

  test('Create and Connect connects at once, with no popup, and the call carries the token', async () => {
    await page.getByTestId('create-and-connect').waitFor();
    // The token belongs to the OAuth client: there is no "credentials of the login user" to choose.
    expect(await page.locator('#conn-login-user').count()).toBe(0);
    expect(await page.locator('#new-conn-redirect').count()).toBe(0);
    let windows = 0;
    context.on('page', () => (windows += 1));
    await page.getByTestId('create-and-connect').click();
    await page.locator('[data-testid="new-connection-status"][data-status="CONNECTED"]').waitFor();
    expect(windows).toBe(0);
    expect(context.pages()).toHaveLength(1);

    await page.getByTestId('open-connection').click();
    // No refresh token, by design: the page says the token is renewed, and gives no advice to reconnect.
    await expectText(
      page.getByTestId('connection-health'),
      /renewed automatically with the client credentials/,
    );
    await page.getByLabel('URL, relative to the base URL').fill('/orders');
    await page.getByTestId('send-request').click();
    await expectText(page.getByTestId('response-body'), /"ok": true/);
    const hit = upstream.seen.at(-1)!;
    expect(hit.url).toBe('/api/orders');
    expect(hit.headers.authorization).toMatch(/^Bearer \S+/);
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
