import fs from 'node:fs';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
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
 * The admin's journey through the built console served by the real server: sign in, define a custom
 * OAuth 2.0 service, Create and Connect through the popup against a real OAuth server, watch the badge turn
 * CONNECTED without a reload, try a request, revoke; an API-key service connected inline; and a second member
 * who connects a login-user connection and finds it under Shared; an extension installed and authorized.
 */
jest.setTimeout(240_000);

const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
const suite = present ? describe : describe.skip;
if (!present)
  console.warn(
    `Skipping the console's end-to-end tests: ${CHROMIUM} is not installed (apt-get install chromium).`,
  );

const CLIENT_SECRET = 'e2e-oidc-client-secret';
const MEMBER_EMAIL = 'grace@example.com';
const MEMBER_PASSWORD = 'grace-password-123';

suite('console journey', () => {
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
          client_id: 'connections-e2e',
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${api.url}/oauth/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ]),
      startUpstream(),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await oidc?.stop();
    await upstream?.close();
    await api?.stop();
  });

  const badge = (p: Page, testId: string) => p.getByTestId(testId);
  const rowOf = (linkName: string) => page.locator(`tr[data-link-name="${linkName}"]`);

  async function signIn(email: string, password: string) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/connections$/);
    await page.getByTestId('user-email').waitFor();
  }

  /** Clicks Create and Connect and lets the popup run the OAuth flow (the provider approves at once). */
  async function connectThroughPopup(click: () => Promise<void>) {
    const popup = context.waitForEvent('page');
    await click();
    const win = await popup;
    await win.waitForEvent('close', { timeout: 30_000 });
  }

  test('sign in: the workspace and the user are shown', async () => {
    await page.goto(api.url);
    await page.waitForURL(/\/sign-in/);
    await screenshot(page, '01-sign-in');
    // A wrong password is explained in place.
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByTestId('sign-in-error'), /do not match/);
    await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    await expectText(page.getByTestId('user-email'), /admin/i);
    await expectText(page.getByTestId('workspace-name'), /\S/);
    await page.getByText('No connections yet').waitFor();
  });

  test('Add connection: the catalog filters instantly; a custom OAuth 2.0 service is defined', async () => {
    await page.getByTestId('add-connection').click();
    await page.waitForURL(/\/connections\/new$/);
    const tiles = page.locator('.tile');
    await tiles.first().waitFor();
    expect(await tiles.count()).toBeGreaterThan(200);
    await page.getByLabel('Search services').fill('github');
    await page.locator('.tile[data-slug="github"]').waitFor();
    expect(await tiles.count()).toBeLessThan(5);
    await page.getByLabel('Search services').fill('');
    await screenshot(page, '02-add-connection-catalog');

    await page.getByRole('tab', { name: 'Custom service' }).click();
    // Submitting the empty form explains each required field in place.
    await page.getByTestId('save-service').click();
    await expectText(page.locator('[data-field-error="svc-name"]'), /Enter a name/);
    await expectText(page.locator('[data-field-error="svc-authorizeUrl"]'), /Required/);
    await page.getByLabel('Service name').fill('Local OIDC');
    await page.getByLabel('Authorization URL').fill(oidc.authorizeUrl);
    await page.getByLabel('Access token URL').fill(oidc.tokenUrl);
    await page.getByLabel('Revoke URL').fill(oidc.revokeUrl);
    await page.getByLabel('Profile URL').fill(oidc.userinfoUrl);
    await page.getByLabel('Client ID').fill('connections-e2e');
    await page.getByLabel('Client secret').fill(CLIENT_SECRET);
    await page.locator('#svc-scopes').fill('openid');
    await page.keyboard.press('Enter');
    await page.locator('#svc-scopes').fill('email');
    await page.keyboard.press('Enter');
    await page.getByLabel('API base URLs').fill(oidc.issuer);
    expect(await page.locator('#svc-redirect-uri').textContent()).toBe(`${api.url}/oauth/callback`);
    await screenshot(page, '03-custom-service-form');
    await page.getByTestId('save-service').click();
    await page.waitForURL(/\/connections\/new\/local-oidc/);
  });

  test('Create and Connect through the popup: the badge turns CONNECTED without a reload', async () => {
    const name = page.getByRole('textbox', { name: 'Name', exact: true });
    await name.waitFor();
    expect(await page.getByRole('textbox', { name: 'Link name' }).inputValue()).toBe('local_oidc');
    await name.fill('OIDC main');
    expect(await page.getByRole('textbox', { name: 'Link name' }).inputValue()).toBe('oidc_main');
    await screenshot(page, '04-connection-form');
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    await connectThroughPopup(() => page.getByTestId('create-and-connect').click());
    await page.locator('[data-testid="new-connection-status"][data-status="CONNECTED"]').waitFor();
    await page.locator('[data-testid="authorize-progress"][data-phase="connected"]').waitFor();
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await screenshot(page, '05-connected');

    await page.getByRole('link', { name: 'Connections', exact: true }).click();
    await rowOf('oidc_main').locator('[data-status="CONNECTED"]').waitFor();
    await screenshot(page, '06-connections');
  });

  test('the connection page: granted scopes, account, try a request, revoke', async () => {
    await rowOf('oidc_main').getByRole('link', { name: 'OIDC main' }).click();
    await badge(page, 'connection-status').and(page.locator('[data-status="CONNECTED"]')).waitFor();
    await expectText(page.getByTestId('granted-scopes'), /openid/);
    await expectText(page.getByTestId('upstream-account'), /user-42/);
    await page.getByLabel('URL, relative to the base URL').fill('/me');
    await page.getByTestId('send-request').click();
    await expectText(page.getByTestId('response-status'), /^200$/);
    await expectText(page.getByTestId('response-body'), /"sub": "user-42"/);
    await page.locator('[data-testid="audit-timeline"] [data-action="authorization.AUTHORIZED"]').waitFor();
    await screenshot(page, '07-connection-page');

    await page.getByTestId('revoke').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await badge(page, 'connection-status').and(page.locator('[data-status="REVOKED"]')).waitFor();
    await page.locator('[data-testid="audit-timeline"] [data-action="authorization.REVOKED"]').waitFor();
    // A call now needs an authorization, and says so with a way to connect.
    await page.getByTestId('send-request').click();
    await page.locator('[data-code="NEEDS_AUTHORIZATION"]').waitFor();
  });

  test('an API-key service asks for the key inline; the request reaches the upstream with it', async () => {
    await page.goto(`${api.url}/connections/new?mode=custom`);
    await page.getByLabel('Service name').fill('Upstream API');
    await page.locator('label.auth-option', { hasText: 'API key' }).click();
    await page.getByLabel('API key parameter name').fill('X-Api-Key');
    await page.getByLabel('API base URLs').fill(`${upstream.url}/api`);
    await page.getByTestId('save-service').click();
    await page.waitForURL(/\/connections\/new\/upstream-api/);
    await page.getByTestId('create-and-connect').click();
    await expectText(page.locator('[data-field-error="conn-cred-api-key"]'), /Enter the API key/);
    await page.getByRole('textbox', { name: 'API key', exact: true }).fill('e2e-secret-key');
    await page.getByTestId('create-and-connect').click();
    await page.locator('[data-testid="new-connection-status"][data-status="CONNECTED"]').waitFor();
    await page.getByTestId('open-connection').click();
    await page.getByLabel('Method').selectOption('POST');
    await page.getByLabel('URL, relative to the base URL').fill('/things?x=1');
    await page.getByLabel('Header name 1').fill('X-Trace');
    await page.getByLabel('Header value 1').fill('journey');
    await page.getByLabel('Body').fill('{"hello":"world"}');
    await page.getByTestId('send-request').click();
    await expectText(page.getByTestId('response-body'), /"gotKey": true/);
    const hit = upstream.seen.at(-1)!;
    expect(hit).toMatchObject({ method: 'POST', url: '/api/things?x=1', body: '{"hello":"world"}' });
    expect(hit.headers['x-api-key']).toBe('e2e-secret-key');
    expect(hit.headers['x-trace']).toBe('journey');
  });

  test('an extension: created, installed, and its owner-credential connection authorized from its page', async () => {
    await page.getByRole('link', { name: 'Extensions' }).click();
    await page.getByRole('link', { name: '+ New extension' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).first().fill('Reporting');
    await page.locator('#def-0-name').fill('Reports OIDC');
    await page.locator('#def-0-service').selectOption({ label: 'Local OIDC (custom)' });
    await page.getByRole('button', { name: 'Create extension' }).click();
    await page.waitForURL(/\/extensions\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Install' }).click();
    const row = rowOf('reports_oidc');
    await row.locator('[data-status="PENDING"], [data-status="NOT_CONNECTED"]').waitFor();
    await screenshot(page, '08-extension');
    await connectThroughPopup(() => row.getByRole('button', { name: 'Connect', exact: true }).click());
    await row.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: /^Own/ }).click();
    await rowOf('reports_oidc').locator('[data-status="CONNECTED"]').waitFor();
  });

  test('a second member connects a login-user connection and finds it under Shared', async () => {
    // The admin adds a member and creates a connection each user authorizes with their own account.
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('button', { name: '+ Add member' }).click();
    await page.getByLabel('Email').fill(MEMBER_EMAIL);
    await page.getByLabel('Display name').fill('Grace Hopper');
    await page.getByLabel('Initial password').fill(MEMBER_PASSWORD);
    await page.getByRole('button', { name: 'Add member', exact: true }).click();
    await page.locator(`tr[data-email="${MEMBER_EMAIL}"]`).waitFor();
    await screenshot(page, '09-members');

    await page.goto(`${api.url}/connections/new/local-oidc`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Team OIDC');
    await page.getByRole('switch', { name: 'Use credentials of login user' }).check();
    await page.getByRole('button', { name: 'Create without connecting' }).click();
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}$/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await signIn(MEMBER_EMAIL, MEMBER_PASSWORD);
    // Not authorized by the member yet: listed under All as "Connect to use", with a Connect button.
    await page.getByRole('tab', { name: /^All/ }).click();
    const row = page.locator('tr[data-link-name="team_oidc"][data-relation="AVAILABLE"]');
    await row.locator('[data-status="NOT_CONNECTED"]').waitFor();
    await expectText(row.locator('.relation'), /Connect to use/);
    await screenshot(page, '10-to-connect');
    await connectThroughPopup(() => row.getByRole('button', { name: 'Connect', exact: true }).click());
    await page.locator('[data-testid="authorize-progress"][data-phase="connected"]').waitFor();
    await page.locator('tr[data-link-name="team_oidc"][data-relation="SHARED"]').waitFor();

    await page.getByRole('tab', { name: 'Shared' }).click();
    await rowOf('team_oidc').locator('[data-status="CONNECTED"]').waitFor();
    await screenshot(page, '11-shared');
  });

  test('the other pages render for a member and an admin, at 1280 and 390 px', async () => {
    for (const [path, name, ready] of [
      ['/services', 'services', '[data-slug]'],
      ['/extensions', 'extensions', 'a.item'],
      ['/tokens', 'tokens', 'text=No API tokens'],
    ] as const) {
      await page.goto(`${api.url}${path}`);
      await page.locator(ready).first().waitFor();
      await screenshot(page, `12-${name}`);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${api.url}/connections?tab=shared`);
    await rowOf('team_oidc').waitFor();
    await screenshot(page, '13-connections-390');
    await page.goto(`${api.url}/connections/new`);
    await page.locator('.tile').first().waitFor();
    await screenshot(page, '14-add-connection-390', { fullPage: false });
    await page.goto(`${api.url}/connections/new/local-oidc`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).waitFor();
    await screenshot(page, '15-connection-form-390');

    // The admin's own list, and the catalog: the README's screenshots.
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    await rowOf('reports_oidc').waitFor();
    await screenshot(page, '16-connections-admin', { fullPage: false, docs: 'connections.png' });
    await page.getByTestId('add-connection').click();
    await page.locator('.tile').first().waitFor();
    await page.getByLabel('Search services').fill('li');
    await screenshot(page, '17-add-connection', { fullPage: false, docs: 'add-connection.png' });
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
