import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/e2e');

/** Debian's Chromium, driven by playwright-core: no browser is ever downloaded. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The README's two screenshots, refreshed by `UPDATE_DOCS_SCREENSHOTS=1 npm run test:e2e`. */
const DOCS = path.resolve(__dirname, '../../../../docs');

/** A screenshot kept as a test artifact (git-ignored); full page unless asked for the viewport only. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean; docs?: string } = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: opts.fullPage ?? true });
  if (opts.docs && process.env.UPDATE_DOCS_SCREENSHOTS) {
    fs.mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: path.join(DOCS, opts.docs) });
  }
}

/** What the page logged as errors, to fail on a console error the test would not otherwise see. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}
