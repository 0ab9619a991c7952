import { FormBrowser, type FormPage } from '../test-support/form-browser';
import { type EventLog, subscribeEvents } from '../test-support/events';
import { type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, until } from '../test-support/upstream';
import { waitFor } from '../test-support/wait';

jest.setTimeout(120_000);

// The sandbox end to end, with nothing but the server: no OAuth app registered anywhere, no private-network
// exception (CONNECTIONS_ALLOW_PRIVATE_NETWORKS stays false), the four Sandbox catalog services as shipped.

const CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { authorizeUrl attemptId connection { id linkName status } }
}`;
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';
const STATUS =
  'query($id: ID) { connection(id: $id) { status authorization { status lastError expiresAt } } }';

describe('sandbox', () => {
  let t: TestServer;
  let token: string;
  let log: EventLog;
  let ws: ReturnType<TestServer['ws']>;

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const control = (body: Record<string, unknown>, auth = `Bearer ${token}`) =>
    fetch(`${t.url}/sandbox/control`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const invoke = async (link: string, url = 'contacts') =>
    ok(await t.gql(INVOKE, { i: { connection: link, url } }, { token })).invokeUrl as {
      status: number;
      body: string;
    };
  const status = async (id: string) => ok(await t.gql(STATUS, { id }, { token })).connection;

  /**
   * A consent page works under the console's Content-Security-Policy (style-src 'self', nothing inline):
   * no inline style, script or handler, and its stylesheet comes from this origin.
   */
  const expectUnderPolicy = async (page: FormPage) => {
    expect(String(page.headers['content-security-policy'])).toMatch(/default-src 'self'.*style-src 'self'/);
    expect(page.text).not.toMatch(/<style|<script|\sstyle=|\son[a-z]+=/i);
    const href = /<link rel="stylesheet" href="([^"]+)"/.exec(page.text)?.[1];
    const css = await fetch(new URL(href!, page.url));
    expect([new URL(href!, page.url).pathname, css.status]).toEqual(['/sandbox/style.css', 200]);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  };

  /** The console's browser: signed in as the admin, who asks for the authorization. */
  const consoleBrowser = async () => new FormBrowser().withCookie(t.url, (await t.adminAuth()).cookie!);

  /** Create and Connect in the console, then approve on the sandbox's consent page as its popup would. */
  const connectOAuth = async (name: string, service: string) => {
    const r = ok(await t.gql(CONNECT, { i: { name, service } }, await t.adminAuth())).createAndConnect;
    expect(r.authorizeUrl).toEqual(expect.any(String));
    const browser = await consoleBrowser();
    const consent = await browser.follow(await browser.send(r.authorizeUrl));
    expect(consent.status).toBe(200);
    await expectUnderPolicy(consent);
    const done = await browser.submit(consent, 'approve');
    expect(done.text).toContain('Connected');
    return { id: r.connection.id as string, link: r.connection.linkName as string, consent };
  };

  beforeAll(async () => {
    t = await startTestServer('sqlite', { CONNECTIONS_SANDBOX: 'true' });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "sandbox"}) { token } }', {}, admin))
      .createApiToken.token;
    ws = t.ws({ token });
    log = await subscribeEvents(ws);
  });
  afterAll(async () => {
    log?.stop();
    await ws?.dispose();
    await t?.close();
  });

  test('the catalog lists the four Sandbox services, preconfigured, on this server', async () => {
    const r = ok(
      await t.gql(
        '{ services(filter: {search: "sandbox"}, first: 10) { nodes { slug name authType apiBaseUrls hasClientSecret } } }',
        {},
        { token },
      ),
    );
    const nodes = r.services.nodes as {
      slug: string;
      name: string;
      apiBaseUrls: string[];
      hasClientSecret: boolean;
    }[];
    expect(nodes.map((n) => n.name).sort()).toEqual([
      'Sandbox (API key)',
      'Sandbox (Basic)',
      'Sandbox (OAuth 1.0a)',
      'Sandbox (OAuth 2.0)',
    ]);
    for (const n of nodes) expect(n.apiBaseUrls).toEqual([`${t.url}/sandbox/api/`]);
    expect(nodes.find((n) => n.slug === 'sandbox-oauth2')!.hasClientSecret).toBe(true);
  });

  test('their docs link lands on the sandbox guide: credentials, nothing to register, $TOKEN explained', async () => {
    const r = ok(
      await t.gql(
        '{ services(filter: {search: "sandbox"}, first: 10) { nodes { docsUrl } } }',
        {},
        { token },
      ),
    );
    const urls = new Set((r.services.nodes as { docsUrl: string }[]).map((n) => n.docsUrl));
    expect([...urls]).toEqual([`${t.url}/sandbox/`]);
    const page = await fetch(`${t.url}/sandbox/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
    expect(html).toContain('nothing to register');
    expect(html).toContain('sandbox-password');
    expect(html).toContain('sandbox-api-key');
    expect(html).toMatch(/\$TOKEN[\s\S]*API tokens/);
    expect(html).not.toMatch(/<style|<script|\sstyle=/i);
  });

  test('OAuth 2.0: consent page names the scopes; CONNECTED; contacts through the connection', async () => {
    const c = await connectOAuth('Sandbox OAuth2', 'sandbox-oauth2');
    expect(c.consent.text).toContain('contacts.read');
    expect(c.consent.text).toContain('offline_access');
    // A language for assistive technology (axe: html-has-lang).
    expect(c.consent.text).toMatch(/<html lang="en">/);
    expect((await status(c.id)).status).toBe('CONNECTED');
    const account = ok(
      await t.gql(
        'query($id: ID) { connection(id: $id) { authorization { account { id name } } } }',
        { id: c.id },
        { token },
      ),
    );
    expect(JSON.stringify(account)).toContain('sandbox-user');
    const res = await invoke(c.link);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ authenticatedWith: 'OAUTH2', contacts: expect.any(Array) });
  });

  test('OAuth 2.0: deny on the consent page gives DENIED', async () => {
    const r = ok(
      await t.gql(CONNECT, { i: { name: 'Denied', service: 'sandbox-oauth2' } }, await t.adminAuth()),
    ).createAndConnect;
    const browser = await consoleBrowser();
    await browser.submit(await browser.follow(await browser.send(r.authorizeUrl)), 'deny');
    await until(async () => (await status(r.connection.id)).authorization?.status === 'DENIED');
  });

  test('OAuth 1.0a: approve, CONNECTED, signed calls reach contacts', async () => {
    const c = await connectOAuth('Sandbox OAuth1', 'sandbox-oauth1');
    expect(c.consent.text).toMatch(/<html lang="en">/);
    const res = await invoke(c.link);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).authenticatedWith).toBe('OAUTH1');
  });

  test('Basic and API key: connected at once with the documented credentials; wrong ones create nothing', async () => {
    const basic = ok(
      await t.gql(
        CONNECT,
        {
          i: {
            name: 'Sandbox Basic',
            service: 'sandbox-basic',
            credentials: { username: 'sandbox', password: 'sandbox-password' },
          },
        },
        { token },
      ),
    ).createAndConnect;
    expect(basic.connection.status).toBe('CONNECTED');
    expect(JSON.parse((await invoke(basic.connection.linkName)).body).authenticatedWith).toBe('BASIC');
    const key = ok(
      await t.gql(
        CONNECT,
        {
          i: { name: 'Sandbox Key', service: 'sandbox-api-key', credentials: { apiKey: 'sandbox-api-key' } },
        },
        { token },
      ),
    ).createAndConnect;
    expect(JSON.parse((await invoke(key.connection.linkName)).body).authenticatedWith).toBe('API_KEY');
    const wrong = await t.gql(
      CONNECT,
      { i: { name: 'Wrong key', service: 'sandbox-api-key', credentials: { apiKey: 'nope' } } },
      { token },
    );
    // The sandbox answered 401: the credentials are blamed (not retryable), on the field that holds them.
    expect(wrong.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'credentials',
      upstreamStatus: 401,
      retryable: false,
    });
  });

  test('misbehaviour: expiry -> REFRESHED; 503 -> REFRESH_FAILED then recovery; revoked grant -> NEEDS_REAUTH', async () => {
    const c = await connectOAuth('Misbehaving', 'sandbox-oauth2');
    expect((await invoke(c.link)).status).toBe(200);

    // Tokens expire after 1 s, already issued ones included: once the sandbox sees the token as expired, the
    // call gets a 401, refreshes and succeeds. The sandbox counts whole seconds on its own clock: call until the
    // connection holds the new short-lived token (2 s, where the old one had an hour) instead of sleeping.
    expect((await control({ accessTokenTtlSeconds: 1 })).status).toBe(200);
    await waitFor(
      async () => {
        expect((await invoke(c.link)).status).toBe(200);
        const { expiresAt } = (await status(c.id)).authorization;
        return Date.parse(expiresAt) - Date.now() < 60_000;
      },
      { intervalMs: 100 },
    );
    await log.waitFor((e) => e.connectionId === c.id && e.type === 'REFRESHED');

    // The token endpoint fails: a transient failure, the connection is kept. The refreshed token (2 s) is due
    // at half its life and is inside the expiry skew, so from then on the failure surfaces: call until it does.
    await control({ tokenEndpointFailures: 5 });
    await waitFor(
      async () => {
        const r = await t.gql(INVOKE, { i: { connection: c.link, url: 'contacts' } }, { token });
        return r.errors?.[0]?.extensions?.code === 'REFRESH_FAILED';
      },
      { intervalMs: 100 },
    );
    await log.waitFor((e) => e.connectionId === c.id && e.type === 'REFRESH_FAILED');
    expect((await status(c.id)).authorization.status).toBe('REFRESH_FAILED');
    await control({ tokenEndpointFailures: 0, accessTokenTtlSeconds: 0 });
    await until(async () => (await invoke(c.link).catch(() => undefined))?.status === 200, 20_000);
    expect((await status(c.id)).status).toBe('CONNECTED');

    // The grant is revoked upstream: its access token stops working at once (401), and the refresh that
    // follows gets invalid_grant.
    await control({ revokeGrants: true, accessTokenTtlSeconds: 1 });
    await invoke(c.link).catch(() => undefined);
    await log.waitFor((e) => e.connectionId === c.id && e.type === 'NEEDS_REAUTH');
    expect((await status(c.id)).status).toBe('NEEDS_REAUTH');
    await control({ accessTokenTtlSeconds: 0 });
  });

  test('the control endpoint is for admins, in JSON', async () => {
    expect((await control({ revokeGrants: false }, 'Bearer nope')).status).toBe(401);
    const form = await fetch(`${t.url}/sandbox/control`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'revokeGrants=true',
    });
    expect(form.status).toBe(415);
    expect((await control({ tokenEndpointFailures: -1 })).status).toBe(400);
  });

  test('only the sandbox origin is let through: another loopback port stays refused', async () => {
    const other = await startUpstream((_req, res) => void res.end('{}'));
    try {
      const port = new URL(other.url).port;
      const service = ok(
        await t.gql(
          'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
          {
            i: {
              name: 'Loopback',
              authType: 'API_KEY',
              apiKeyParamName: 'X-API-Key',
              apiBaseUrls: [`http://localhost:${port}/`],
            },
          },
          { token },
        ),
      ).createCustomService;
      const c = ok(
        await t.gql(
          CONNECT,
          { i: { name: 'Loopback', service: service.slug, credentials: { apiKey: 'k' } } },
          { token },
        ),
      ).createAndConnect;
      const r = await t.gql(INVOKE, { i: { connection: c.connection.linkName, url: 'x' } }, { token });
      expect(r.errors?.[0]?.extensions?.code).toBe('HOST_NOT_ALLOWED');
      expect(other.accepted()).toBe(0);
    } finally {
      await other.close();
    }
  });

  test('the contacts API refuses calls without credentials', async () => {
    const res = await fetch(`${t.url}/sandbox/api/contacts`);
    expect(res.status).toBe(401);
  });
});

describe('sandbox off', () => {
  test('NODE_ENV=test without CONNECTIONS_SANDBOX: no /sandbox, no Sandbox services', async () => {
    const t = await startTestServer('sqlite');
    try {
      expect((await fetch(`${t.url}/sandbox/api/contacts`)).status).not.toBe(401);
      const r = await t.gql(
        '{ services(filter: {search: "sandbox"}, first: 10) { nodes { slug } } }',
        {},
        await t.adminAuth(),
      );
      expect(r.data?.services.nodes).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
