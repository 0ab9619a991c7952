import fs from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
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
 * What peers' consoles have (issue 17): on a connection's page, ready-to-copy calls with its link name and the
 * server's address, and its health (calls and errors over 24 hours); on the list, sortable columns, a "needs
 * attention" filter, and bulk actions: two connections revoked at once, after a confirmation.
 */
jest.setTimeout(180_000);

const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
const suite = present ? describe : describe.skip;

/** Waits until `read` gives a value `ok` accepts (the page updates after the server answers). */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

async function expectText(locator: Locator, pattern: RegExp) {
  await locator.first().waitFor();
  await eventually(
    async () => ((await locator.first().textContent()) ?? '').replace(/\s+/g, ' ').trim(),
    (text) => pattern.test(text),
    `expected ${pattern}`,
  );
}

suite('connection list and page: snippets, health, sorting, bulk actions', () => {
  let api: ApiServer;
  let upstream: Upstream;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: string;
  const ids: Record<string, string> = {};
  const pageErrors: string[] = [];

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) =>
    api.gql<T>(query, variables, admin);

  beforeAll(async () => {
    [api, upstream, browser] = await Promise.all([startApi(), startUpstream(), launchChromium()]);
    admin = await api.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const svc = await gql<{ createCustomService: { id: string } }>(
      `mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id } }`,
      {
        i: {
          name: 'Ledger API',
          authType: 'API_KEY',
          apiKeyParamName: 'X-Api-Key',
          apiBaseUrls: [`${upstream.url}/api`],
        },
      },
    );
    for (const [name, linkName] of [
      ['Alpha ledger', 'alpha_ledger'],
      ['Beta ledger', 'beta_ledger'],
      ['Gamma ledger', 'gamma_ledger'],
    ]) {
      const r = await gql<{ createAndConnect: { connection: { id: string; status: string } } }>(
        `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id status } } }`,
        { i: { service: svc.createCustomService.id, name, linkName, credentials: { apiKey: 'k-e2e' } } },
      );
      expect(r.createAndConnect.connection.status).toBe('CONNECTED');
      ids[linkName!] = r.createAndConnect.connection.id;
    }
    // Two calls through alpha: its health shows them.
    for (const url of ['things', 'other'])
      await gql(`mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }`, {
        i: { connection: 'alpha_ledger', url, method: 'GET' },
      });

    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    pageErrors.push(...collectPageErrors(page));
    await page.goto(`${api.url}/sign-in`);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-email').waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await upstream?.close();
    await api?.stop();
  });

  test('a connection page shows ready-to-copy calls with its link name, and its health', async () => {
    await page.goto(`${api.url}/connections/${ids.alpha_ledger}`);
    const snippets = page.getByTestId('call-snippets');
    await snippets.waitFor();
    const code = page.getByTestId('snippet-code');
    await expectText(code, new RegExp(`^curl '${api.url}/proxy/alpha_ledger/'`));
    await page.getByTestId('snippet-tab-typescript').click();
    await expectText(code, /fetch\("http:\/\/[^"]+\/proxy\/alpha_ledger\/"/);
    await page.getByTestId('snippet-tab-graphql').click();
    await expectText(code, /"connection": "alpha_ledger"/);
    // The path typed in goes into every snippet.
    await page.getByLabel('Path under the API base URL').fill('v1/things');
    await expectText(code, /"url": "v1\/things"/);
    expect(await page.getByTestId('create-token-link').getAttribute('href')).toBe('/tokens');
    await expectText(page.getByTestId('calls-24h'), /^2$/);
    await expectText(page.getByTestId('errors-24h'), /^0$/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console17b-01-snippets');
  });

  test('the list sorts by a column, filters what needs attention, and revokes two connections at once', async () => {
    await page.goto(`${api.url}/connections`);
    const linkNames = () =>
      page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.linkName));
    await page.locator('tr[data-link-name="gamma_ledger"]').waitFor();
    await expectText(
      page.locator('tr[data-link-name="alpha_ledger"] [data-testid="row-health"]'),
      /2 calls in 24 h/,
    );

    // Sort by name, then flip it: the server orders, the URL keeps it.
    await page.getByTestId('sort-name').click();
    const inOrder = (want: string[]) => (got: (string | undefined)[]) => got.join() === want.join();
    await eventually(linkNames, inOrder(['alpha_ledger', 'beta_ledger', 'gamma_ledger']), 'sorted by name');
    await page.getByTestId('sort-name').click();
    await eventually(linkNames, inOrder(['gamma_ledger', 'beta_ledger', 'alpha_ledger']), 'name, descending');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('-name');
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toMatch(/Connection/);

    // Nothing needs attention yet.
    await page.getByTestId('needs-attention').check();
    await page.getByText('No connections match').waitFor();
    await page.getByTestId('needs-attention').uncheck();
    await page.locator('tr[data-link-name="alpha_ledger"]').waitFor();

    // Select two rows, revoke both after the confirmation names them.
    await page.locator('tr[data-link-name="alpha_ledger"] [data-testid="select-row"]').check();
    await page.locator('tr[data-link-name="beta_ledger"] [data-testid="select-row"]').check();
    await expectText(page.getByTestId('bulk-bar'), /^2 selected/);
    await page.getByTestId('bulk-revoke').click();
    const dialog = page.getByRole('dialog', { name: 'Revoke 2 authorizations?' });
    await dialog.waitFor();
    await expectText(dialog, /^(?=.*alpha_ledger)(?=.*beta_ledger)(?!.*gamma_ledger)/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'console17b-02-bulk-confirm', { fullPage: false });
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expectText(page.getByTestId('bulk-outcome'), /^Revoked 2 connections\.$/);
    await page.locator('tr[data-link-name="alpha_ledger"] [data-status="REVOKED"]').waitFor();
    await page.locator('tr[data-link-name="beta_ledger"] [data-status="REVOKED"]').waitFor();
    await page.locator('tr[data-link-name="gamma_ledger"] [data-status="CONNECTED"]').waitFor();
    const statuses = await gql<{ connections: { nodes: { linkName: string; status: string }[] } }>(
      '{ connections(orderBy: {field: NAME}) { nodes { linkName status } } }',
    );
    expect(statuses.connections.nodes).toEqual([
      { linkName: 'alpha_ledger', status: 'REVOKED' },
      { linkName: 'beta_ledger', status: 'REVOKED' },
      { linkName: 'gamma_ledger', status: 'CONNECTED' },
    ]);
    await screenshot(page, 'console17b-03-bulk-revoked');
    expect(pageErrors).toEqual([]);
  });
});
