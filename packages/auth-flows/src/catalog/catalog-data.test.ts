import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { CatalogEntry } from '../types';
import { catalog, findCatalogEntry } from './index';
import bundled from './generated/logos.json';
import { catalogLogos, logoOfIcon } from './logos';
import { sampleUrl } from './schema';
import { SUBDOMAIN_PLACEHOLDER } from '../types';

// Entries that reach one API with another kind of credential are named after it: `github_pat` and
// `github`, `twitter2` and `twitter`. Only those may share an API base URL.
const stem = (slug: string) => slug.replace(/_.*$/, '').replace(/\d+$/, '');
// `https://[subdomain]/...` is wholly the tenant's host (Keycloak, Mastodon, self-hosted n8n): no provider owns it.
const wholeHost = (url: string) => url.startsWith(`https://${SUBDOMAIN_PLACEHOLDER}/`);
const keyed = catalog.filter((e) => e.authType === 'API_KEY' || e.authType === 'BASIC');

describe('catalog data', () => {
  it('has at least 400 entries, most of the new ones called with API keys or Basic', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(400);
    expect(keyed.length).toBeGreaterThanOrEqual(200);
  });

  it('has unique slugs and display names (case-insensitively), names without stray white space', () => {
    const names = catalog.map((e) => e.displayName.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    for (const e of catalog) expect(e.displayName).toBe(e.displayName.trim().replace(/\s+/g, ' '));
  });

  it('gives every entry an API base URL, well-formed, ending in a slash, never twice in one entry', () => {
    for (const e of catalog) {
      expect(e.apiBaseUrls.length).toBeGreaterThan(0);
      expect(new Set(e.apiBaseUrls).size).toBe(e.apiBaseUrls.length);
      for (const url of e.apiBaseUrls) {
        const parsed = new URL(sampleUrl(url));
        expect([e.slug, parsed.protocol, parsed.search, parsed.hash]).toEqual([e.slug, 'https:', '', '']);
        // Path confinement works on whole segments: a base without the final slash would match /v10 for /v1.
        expect([e.slug, url.endsWith('/')]).toEqual([e.slug, true]);
      }
    }
  });

  it('shares an API base URL only between sign-in variants of one provider', () => {
    const owners = new Map<string, CatalogEntry[]>();
    for (const e of catalog)
      for (const url of e.apiBaseUrls) if (!wholeHost(url)) owners.set(url, [...(owners.get(url) ?? []), e]);
    const shared = [...owners].filter(([, entries]) => entries.length > 1);
    expect(shared.length).toBeGreaterThan(0);
    for (const [url, entries] of shared)
      expect([url, new Set(entries.map((e) => stem(e.slug))).size]).toEqual([url, 1]);
  });

  it('gives every API-key and Basic entry a test request and a documentation page', () => {
    for (const e of keyed) {
      expect([e.slug, !!e.testRequest, !!e.docsUrl]).toEqual([e.slug, true, true]);
      // Relative tests follow an admin's API base URL override; an absolute one would stay on the old host.
      expect([e.slug, /^https?:/.test(e.testRequest!.url)]).toEqual([e.slug, false]);
    }
  });

  it('resolves relative test requests under the first API base URL', () => {
    const twilio = findCatalogEntry('twilio')!;
    expect(new URL(twilio.testRequest!.url, twilio.apiBaseUrls[0]).toString()).toBe(
      'https://api.twilio.com/2010-04-01/Accounts.json',
    );
  });

  it('uses a space-free, printable API key parameter and a documented docs URL scheme', () => {
    for (const e of catalog) {
      if (e.docsUrl) expect([e.slug, e.docsUrl.startsWith('https://')]).toEqual([e.slug, true]);
      if (e.apiKeyParamName) expect(e.apiKeyParamName).toMatch(/^[A-Za-z0-9_.-]+$/);
    }
  });
});

describe('catalog logos', () => {
  it('names icons only for catalog entries, and every named icon is bundled', () => {
    const icons = bundled as Record<string, { title: string; hex: string; path: string }>;
    for (const [slug, icon] of Object.entries(catalogLogos)) {
      expect([slug, !!findCatalogEntry(slug)]).toEqual([slug, true]);
      expect([slug, icon in icons]).toEqual([slug, true]);
      expect(findCatalogEntry(slug)!.logo).toBe(icon);
    }
    // The bundle holds the icons the catalog uses and nothing else.
    expect(Object.keys(icons).sort()).toEqual([...new Set(Object.values(catalogLogos))].sort());
    expect(Object.keys(catalogLogos).length).toBeGreaterThanOrEqual(200);
  });

  it('renders a titled SVG in the brand colour, with a content version', () => {
    const logo = logoOfIcon('stripe')!;
    expect(logo.svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 24 24" role="img"/);
    expect(logo.svg).toContain('<title>Stripe</title>');
    expect(logo.svg).toContain('fill="#635BFF"');
    expect(logo.version).toMatch(/^[0-9a-f]{12}$/);
    expect(logoOfIcon('not-an-icon')).toBeUndefined();
    expect(logoOfIcon('constructor')).toBeUndefined();
  });

  it('is bundled from the pinned simple-icons exactly as the build step writes it', () => {
    const script = path.join(__dirname, '../../scripts/bundle-logos.mjs');
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
