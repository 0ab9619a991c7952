import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible } from './support/axe';
import { CHROMIUM, collectPageErrors, launchChromium, screenshot } from './support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startApi, type ApiServer } from './support/stack';

/**
 * Issue 17, item 6 (with issue 14's logos): full tile names, one Tab from the search field to the first tile,
 * the logos the API serves (the letter when a provider has none), and the workspace's recently used services
 * before the popular ones.
 */
jest.setTimeout(240_000);

const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
const suite = present ? describe : describe.skip;

suite('console: the catalog grid', () => {
  let api: ApiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    [api, browser] = await Promise.all([
      startApi({ env: { CONNECTIONS_SANDBOX: 'true' }, allowPrivateNetworks: false }),
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
    await api?.stop();
  });

  const openCatalog = async () => {
    await page.goto(`${api.url}/connections/new`);
    await page.locator('.tile').first().waitFor();
  };
  const section = (title: string) =>
    page.locator('section', { has: page.getByRole('heading', { name: title }) });

  test('one Tab from the search field reaches the first tile; arrows move within the filter chips', async () => {
    await openCatalog();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('catalog-search');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => ({
      isTile: document.activeElement?.classList.contains('tile'),
      first: document.activeElement === document.querySelector('.tile'),
    }));
    expect(focused).toEqual({ isTile: true, first: true });

    // The chips are one radio group before the search field: Shift+Tab twice lands on the checked one.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toMatch(/^All/);
    await page.keyboard.press('ArrowRight');
    await page.getByRole('radio', { name: /OAuth 2\.0/, checked: true }).waitFor();
    expect(await page.locator('.tile').count()).toBeGreaterThan(100);
    await page.keyboard.press('Home');
    await page.getByRole('radio', { name: /^All/, checked: true }).waitFor();
  });

  test('tiles show full names, logos from the API, and the letter where there is none', async () => {
    await openCatalog();
    const popular = section('Popular');
    const sandbox = popular.locator('.tile[data-slug="sandbox-oauth2"]');
    await sandbox.waitFor();
    // The accessible name is what the tile shows, the whole name and how it signs in.
    await popular.getByRole('button', { name: /^Sandbox\s*, OAuth 2\.0\s*, OAuth 2\.0$/ }).waitFor();
    await popular.getByRole('button', { name: /^Sandbox\s*, OAuth 1\.0a\s*, OAuth 1\.0a$/ }).waitFor();
    expect(await sandbox.locator('.name').innerText()).toBe('Sandbox');
    // The variant is its own line (after a comma only screen readers hear), so the two never look alike.
    expect(await sandbox.locator('.subtitle').innerText()).toMatch(/^,?\s*OAuth 2\.0$/);
    const oauth1 = popular.locator('.tile[data-slug="sandbox-oauth1"] .subtitle');
    expect(await oauth1.innerText()).toMatch(/^,?\s*OAuth 1\.0a$/);

    const github = popular.locator('.tile[data-slug="github"] img');
    await github.waitFor();
    expect(await github.getAttribute('src')).toMatch(/^\/logos\/github\.svg\?v=/);
    await page.waitForFunction(
      (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
      await github.elementHandle(),
    );
    const twilio = popular.locator('.tile[data-slug="twilio"]');
    expect(await twilio.locator('img').count()).toBe(0);
    expect(await twilio.locator('.icon').innerText()).toBe('T');
    await expectAccessible(page, 'catalog (browsing)');
    await screenshot(page, 'catalog-grid', { fullPage: false });
  });

  test("the workspace's recently used services come first", async () => {
    const cookie = await api.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    await api.gql(
      'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
      { i: { name: 'Recent OpenAI', service: 'openai' } },
      cookie,
    );
    await openCatalog();
    const recent = section('Recently used');
    await recent.locator('.tile[data-slug="openai"]').waitFor();
    const titles = await page.locator('section h3').allTextContents();
    expect(titles).toEqual(['Recently used', 'Popular', 'All services']);
    expect(pageErrors.filter((e) => !/401|403|Failed to load resource/.test(e))).toEqual([]);
  });
});
