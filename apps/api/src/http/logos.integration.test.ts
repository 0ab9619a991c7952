import { startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(60_000);

// Issue 14 / 17: catalog logos come from the icon set bundled at build time, served by this server (no request
// to the internet), at content-versioned URLs cached for good; entries without one have a null logoUrl.

describe('GET /logos/<slug>.svg', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(async () => t?.close());

  const logoUrls = async (slugs: string[]) => {
    const admin = await t.adminAuth();
    const out: Record<string, string | null> = {};
    for (const slug of slugs) {
      const r = await t.gql('query($s: String) { service(slug: $s) { logoUrl } }', { s: slug }, admin);
      out[slug] = r.data!.service.logoUrl;
    }
    return out;
  };

  test('Service.logoUrl names a versioned path for entries with an icon, null otherwise', async () => {
    const urls = await logoUrls(['stripe', 'github_pat', 'twilio']);
    expect(urls.stripe).toMatch(/^\/logos\/stripe\.svg\?v=[0-9a-f]{12}$/);
    expect(urls.github_pat).toMatch(/^\/logos\/github_pat\.svg\?v=[0-9a-f]{12}$/);
    // simple-icons has no Twilio icon (the brand asked for its removal): the console shows the initial.
    expect(urls.twilio).toBeNull();
    const admin = await t.adminAuth();
    const custom = await t.gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { logoUrl } }',
      { i: { name: 'Own API', authType: 'BASIC', apiBaseUrls: ['https://own.example.com/'] } },
      admin,
    );
    expect(custom.data!.createCustomService.logoUrl).toBeNull();
  });

  test('serves the SVG with long caching, an ETag and a script-free policy', async () => {
    const { stripe } = await logoUrls(['stripe']);
    const res = await fetch(`${t.url}${stripe}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const svg = await res.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('<title>Stripe</title>');
    expect(svg).not.toMatch(/<script|on\w+=/i);
    const etag = res.headers.get('etag')!;
    expect(stripe).toContain(etag.replaceAll('"', ''));
    // fetch adds `Cache-Control: no-cache` to conditional requests unless one is given; a browser revalidating sends this.
    const again = await fetch(`${t.url}${stripe}`, {
      headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' },
    });
    expect(again.status).toBe(304);
  });

  test.each([
    ['an entry without an icon', '/logos/twilio.svg'],
    ['an unknown slug', '/logos/no-such-service.svg'],
    ['a name that is no slug', '/logos/..%2Fpackage.json'],
    ['another extension', '/logos/stripe.png'],
  ])('answers 404 for %s', async (_, path) => {
    const res = await fetch(`${t.url}${path}`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
