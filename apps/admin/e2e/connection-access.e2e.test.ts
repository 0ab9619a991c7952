import fs from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
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
 * Who may use a connection, as the console shows it (issue 13): a member sees an admin's owner-credential
 * connection labelled "Runs as <owner>", calls it through "Try a request" with the owner's credentials, and
 * is offered nothing to manage; a connection restricted to others is not there for them; the admin restricts
 * one from its page and sees the workspace by owner; a deleted connection's address says who deleted it, when.
 */
jest.setTimeout(180_000);

const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
const suite = present ? describe : describe.skip;

const MEMBER_EMAIL = 'grace@example.com';
const MEMBER_PASSWORD = 'grace-password-123';
const OWNER_KEY = 'owner-api-key-e2e';

suite('connection access in the console', () => {
  let api: ApiServer;
  let upstream: Upstream;
  let browser: Browser;
  let admin: string;
  const ids: Record<string, string> = {};
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return api.gql<T>(query, variables, admin);
  }
  async function createAndConnect(name: string, linkName: string, service: string, extra = {}) {
    const r = await gql<{ createAndConnect: { connection: { id: string; status: string } } }>(
      `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id status } } }`,
      { i: { service, name, linkName, credentials: { apiKey: OWNER_KEY }, ...extra } },
    );
    expect(r.createAndConnect.connection.status).toBe('CONNECTED');
    return r.createAndConnect.connection.id;
  }

  beforeAll(async () => {
    [api, upstream, browser] = await Promise.all([startApi(), startUpstream(), launchChromium()]);
    admin = await api.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const svc = await gql<{ createCustomService: { id: string } }>(
      `mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id } }`,
      {
        i: {
          name: 'Team API',
          authType: 'API_KEY',
          apiKeyParamName: 'X-Api-Key',
          apiBaseUrls: [`${upstream.url}/api`],
        },
      },
    );
    const service = svc.createCustomService.id;
    await gql(`mutation($i: AddMemberInput!) { addMember(input: $i) { role } }`, {
      i: { email: MEMBER_EMAIL, displayName: 'Grace Hopper', password: MEMBER_PASSWORD },
    });
    // The admin's owner-credential connection, for everyone; one restricted to the owner and admins; one
    // deleted at once.
    ids.team = await createAndConnect('Team CRM', 'team_crm', service);
    ids.finance = await createAndConnect('Finance', 'finance_only', service, {
      access: { restricted: true, members: [] },
    });
    ids.gone = await createAndConnect('Old CRM', 'old_crm', service);
    await gql(`mutation($id: ID!) { deleteConnection(id: $id) }`, { id: ids.gone });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await upstream?.close();
    await api?.stop();
  });

  async function signedIn(email: string, password: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    pageErrors.push(...collectPageErrors(page));
    await page.goto(`${api.url}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The first sign-in of a fresh server also loads the console's chunks: allow more than one step's time.
    await page.getByTestId('user-email').waitFor({ timeout: 30_000 });
    return page;
  }

  test('a member sees the owner-credential connection labelled, uses it, and is offered nothing to manage', async () => {
    const page = await signedIn(MEMBER_EMAIL, MEMBER_PASSWORD);
    await page.goto(`${api.url}/connections?tab=shared`);
    const row = page.locator('tr[data-link-name="team_crm"]');
    await row.locator('[data-status="CONNECTED"]').waitFor();
    expect(await row.getAttribute('data-relation')).toBe('OWNER_CREDENTIALS');
    await expectText(row.locator('.relation'), /^Runs as Admin/);
    await screenshot(page, 'access-01-member-shared');

    // All: everything the member may use; the restricted one is not there.
    await page.getByRole('tab', { name: /^All/ }).click();
    await page.locator('tr[data-link-name="team_crm"]').waitFor();
    expect(await page.locator('tr[data-link-name="finance_only"]').count()).toBe(0);

    await row.getByRole('link', { name: 'Team CRM' }).click();
    await expectText(
      page.getByTestId('relation-explanation'),
      /^Runs with Admin's account; you can use it but not change it\.$/,
    );
    await page.locator('[data-testid="connection-status"][data-status="CONNECTED"]').waitFor();
    for (const id of ['reconnect', 'revoke', 'delete', 'connection-settings'])
      expect(await page.getByTestId(id).count()).toBe(0);

    // "Try a request" runs with the owner's credentials, which the member never sees.
    await page.getByLabel('URL, relative to the base URL').fill('/things');
    await page.getByTestId('send-request').click();
    await expectText(page.getByTestId('response-status'), /^200$/);
    await expectText(page.getByTestId('response-body'), /"gotKey": true/);
    expect(upstream.seen.at(-1)).toMatchObject({ method: 'GET', url: '/api/things' });
    expect(upstream.seen.at(-1)!.headers['x-api-key']).toBe(OWNER_KEY);
    expect(await page.content()).not.toContain(OWNER_KEY);
    await screenshot(page, 'access-02-member-connection');

    // The restricted connection's address leads nowhere for the member, and says why it may be so.
    await page.goto(`${api.url}/connections/${ids.finance}`);
    await expectText(page.getByTestId('connection-gone'), /not here.*restricted to other members/s);
  });

  test('the admin restricts a connection to named members from its page; the member then sees it', async () => {
    const page = await signedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${api.url}/connections/${ids.finance}`);
    await expectText(page.getByTestId('restriction'), /^Only the owner and admins$/);
    const settings = page.getByTestId('connection-settings');
    await settings.getByLabel('Name').fill('Finance (reports)');
    await settings.locator('[data-member="grace@example.com"]').check();
    // The owner is always allowed: checked, and not something to untick.
    expect(await settings.locator(`[data-member="${ADMIN_EMAIL}"]`).isDisabled()).toBe(true);
    await settings.getByTestId('save-settings').click();
    await expectText(page.getByTestId('restriction'), /^Only Grace Hopper \(with the owner and admins\)$/);
    await expectText(page.locator('h1'), /^Finance \(reports\)$/);
    expect(await page.getByTestId('link-name').textContent()).toBe('finance_only');
    await screenshot(page, 'access-03-admin-restriction');

    // The admin's workspace view, by owner.
    await page.goto(`${api.url}/connections?tab=all`);
    await page.getByRole('tab', { name: 'All (workspace)' }).waitFor();
    await page.getByLabel('Owner').selectOption({ label: 'Grace Hopper' });
    await page.getByText('No connections match').waitFor();
    await page.getByLabel('Owner').selectOption({ label: 'Admin' });
    await page.locator('tr[data-link-name="finance_only"]').waitFor();

    // A new connection limited from the start: the form's access choice goes with the create.
    await page.goto(`${api.url}/connections/new/team-api`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Payroll');
    await page.getByRole('radio', { name: /Only these members/ }).check();
    await page.getByRole('button', { name: 'Create without connecting' }).click();
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}$/);
    await expectText(page.getByTestId('restriction'), /^Only the owner and admins$/);

    const member = await api.signIn(MEMBER_EMAIL, MEMBER_PASSWORD);
    const seen = await api.gql<{
      connection: { relation: string; restriction: { members: { email: string }[] } };
    }>(
      `query($id: ID!) { connection(id: $id) { relation restriction { members { email } } } }`,
      { id: ids.finance },
      member,
    );
    expect(seen.connection).toEqual({
      relation: 'OWNER_CREDENTIALS',
      restriction: { members: [{ email: MEMBER_EMAIL }] },
    });
  });

  test('a deleted connection’s address says it was deleted, by whom and when, with a way back', async () => {
    const page = await signedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${api.url}/connections/${ids.gone}`);
    const gone = page.locator('[data-testid="connection-gone"][data-known="true"]');
    await expectText(gone, /This connection was deleted/);
    await expectText(gone, /The connection old_crm was deleted by Admin on .+\d/);
    await screenshot(page, 'access-04-deleted');
    await gone.getByRole('link', { name: 'Back to connections' }).click();
    await page.waitForURL(/\/connections$/);
    expect(pageErrors.filter((e) => !/401|403|404|Failed to load resource/.test(e))).toEqual([]);
  });
});

async function expectText(locator: Locator, pattern: RegExp) {
  await locator.first().waitFor();
  const deadline = Date.now() + 10_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.first().textContent()) ?? '';
    if (pattern.test(text.replace(/\s+/g, ' ').trim())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${pattern} in "${text}"`);
}
