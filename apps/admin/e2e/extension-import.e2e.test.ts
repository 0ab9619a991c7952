import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { CHROMIUM, collectPageErrors, launchChromium, screenshot } from './support/browser';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startApi, type ApiServer } from './support/stack';

/**
 * Extensions are portable (issue 13): exported as a manifest file from one deployment's console, imported
 * from that file into another deployment's console (a separate server and database), its problems shown
 * with their path in the document, its connections waiting for the installer; a newer version upgrades it.
 */
jest.setTimeout(180_000);

const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
const suite = present ? describe : describe.skip;

const SECRET_KEY = 'never-in-a-manifest-e2e';

suite('extension export and import in the console', () => {
  let origin: ApiServer;
  let target: ApiServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let extensionId: string;
  let exported: { file: string; manifest: Record<string, unknown> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-e2e-manifest-'));

  beforeAll(async () => {
    [origin, target, browser] = await Promise.all([startApi(), startApi(), launchChromium()]);
    // On the first deployment: a custom API-key service, a connection of it authorized with a key (which
    // must stay here), and an extension that brings a connection of that service.
    const admin = await origin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const svc = await origin.gql<{ createCustomService: { id: string } }>(
      `mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id } }`,
      {
        i: {
          name: 'Reports API',
          authType: 'API_KEY',
          apiKeyParamName: 'X-Api-Key',
          apiBaseUrls: ['https://reports.example.com/api'],
        },
      },
      admin,
    );
    await origin.gql(
      `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id } } }`,
      {
        i: {
          service: svc.createCustomService.id,
          name: 'Reports',
          linkName: 'reports_here',
          credentials: { apiKey: SECRET_KEY },
        },
      },
      admin,
    );
    const ext = await origin.gql<{ createExtension: { id: string } }>(
      `mutation($i: CreateExtensionInput!) { createExtension(input: $i) { id } }`,
      {
        i: {
          name: 'Reporting',
          key: 'reporting',
          version: '1.0.0',
          connections: [
            { name: 'Reports API', linkName: 'reports_api', service: svc.createCustomService.id },
          ],
        },
      },
      admin,
    );
    extensionId = ext.createExtension.id;
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await Promise.all([origin?.stop(), target?.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function signedIn(api: ApiServer): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      acceptDownloads: true,
    });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    pageErrors.push(...collectPageErrors(page));
    await page.goto(`${api.url}/sign-in`);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The first sign-in of a fresh server also loads the console's chunks: allow more than one step's time.
    await page.getByTestId('user-email').waitFor({ timeout: 30_000 });
    return page;
  }

  function writeManifest(name: string, manifest: Record<string, unknown>): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
    return file;
  }

  test('Export downloads the manifest as a file, without any secret', async () => {
    const page = await signedIn(origin);
    await page.goto(`${origin.url}/extensions/${extensionId}`);
    await expectText(page.getByTestId('extension-version'), /^1\.0\.0$/);
    const download = page.waitForEvent('download');
    await page.getByTestId('export-extension').click();
    const d = await download;
    expect(d.suggestedFilename()).toBe('reporting-1.0.0.extension.json');
    const file = path.join(dir, d.suggestedFilename());
    await d.saveAs(file);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(SECRET_KEY);
    exported = { file, manifest: JSON.parse(text) as Record<string, unknown> };
    expect(exported.manifest).toMatchObject({ key: 'reporting', name: 'Reporting', version: '1.0.0' });
  });

  test('Import on another deployment: problems shown at their path, then the file installed', async () => {
    const page = await signedIn(target);
    await page.goto(`${target.url}/extensions`);
    const importer = page.getByTestId('import-extension');

    // Not JSON: refused in the console, with the reason.
    const notJson = path.join(dir, 'notes.json');
    fs.writeFileSync(notJson, 'this is not json');
    await page.setInputFiles('#import-file', notJson);
    await expectText(importer.getByTestId('import-problems'), /not valid JSON/);

    // A manifest the API refuses: each problem at its path in the document.
    const connections = exported.manifest.connections as Record<string, unknown>[];
    const bad = writeManifest('bad.extension.json', {
      ...exported.manifest,
      connections: [{ ...connections[0], linkName: 'Not A Link Name!' }],
    });
    await page.setInputFiles('#import-file', bad);
    await importer.getByTestId('import-install').click();
    const problem = importer.locator('[data-testid="import-problems"] li[data-path^="connections.0"]');
    await problem.waitFor();
    await expectText(problem.locator('code'), /^connections\.0\./);
    await screenshot(page, 'import-01-problems');

    // The exported file itself: previewed, installed, and its connection waits for the installer.
    await page.setInputFiles('#import-file', exported.file);
    await expectText(importer.getByTestId('import-preview'), /Reporting\s*1\.0\.0\s*· 1 connection/);
    await importer.getByTestId('import-install').click();
    await page.waitForURL(/\/extensions\/[0-9a-f-]{36}$/);
    await expectText(
      page.getByTestId('install-outcome'),
      /^Installed Reporting 1\.0\.0: 1 connection in this workspace\./,
    );
    const row = page.locator('tr[data-link-name="reports_api"]');
    await row.getByRole('button', { name: 'Connect' }).waitFor();
    await screenshot(page, 'import-02-installed');

    // The installer authorizes it: an API key asks for the key on the connection's page.
    await row.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}\?connect=1$/);
    await page.getByRole('textbox', { name: 'API key', exact: true }).fill('target-key');
    await page.getByRole('button', { name: 'Save credentials' }).click();
    await page.locator('[data-testid="connection-status"][data-status="CONNECTED"]').waitFor();
  });

  test('a newer version of the manifest upgrades the installed extension in place', async () => {
    const page = await signedIn(target);
    await page.goto(`${target.url}/extensions`);
    const newer = writeManifest('reporting-1.1.0.extension.json', { ...exported.manifest, version: '1.1.0' });
    await page.setInputFiles('#import-file', newer);
    await page.getByTestId('import-install').click();
    await expectText(page.getByTestId('install-outcome'), /^Upgraded Reporting from 1\.0\.0 to 1\.1\.0\./);
    await expectText(page.getByTestId('extension-version'), /^1\.1\.0$/);
    // Same service and scopes: the authorization made after the first install is kept.
    await page.getByRole('tab', { name: /^Own/ }).click();
    await page.locator('tr[data-link-name="reports_api"] [data-status="CONNECTED"]').waitFor();

    // Once more with the same version: refused, and the reason shown.
    await page.goto(`${target.url}/extensions`);
    await page.setInputFiles('#import-file', newer);
    await page.getByTestId('import-install').click();
    await page.locator('[data-testid="import-problems"] li').first().waitFor();
    expect(pageErrors.filter((e) => !/400|401|403|409|Failed to load resource/.test(e))).toEqual([]);
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
