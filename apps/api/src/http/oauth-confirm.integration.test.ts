import { Browser } from '@connections/auth-flows/test-support/browser';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import { request } from 'undici';
import { AuthorizationAttemptRow } from '../db/entities';
import {
  type Auth,
  addMember,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(90_000);

const CLIENT_SECRET = 'confirm-client-secret-4f1c';
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { attemptId authorizeUrl connection { id status } } }`;

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

/**
 * The `?code=` link an API-token client hands to a browser. Opened by a browser signed in to nothing, it
 * used to run the whole flow at once: whoever opened it bound their upstream account to the requester's
 * connection. Now the GET shows what the link does and the flow starts only from that page's form.
 */
describe.each(databases())('the ?code= authorization link asks first (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let member: { auth: Auth; userId: string };
  let memberToken: string;
  let slug: string;
  const email = `integrator-${db}@example.com`;

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    oidc = await startOidcServer([
      {
        client_id: 'confirm',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${t.url}/oauth/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    const admin = await t.adminAuth();
    slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Confirm OIDC',
            authType: 'OAUTH2',
            authorizeUrl: oidc.authorizeUrl,
            accessTokenUrl: oidc.tokenUrl,
            profileUrl: oidc.userinfoUrl,
            clientId: 'confirm',
            clientSecret: CLIENT_SECRET,
            scopes: ['openid', 'email'],
            apiBaseUrls: [oidc.issuer],
          },
        },
        admin,
      ),
    ).createCustomService.slug;
    member = await addMember(t, email);
    memberToken = ok(
      await t.gql('mutation { createApiToken(input: {name: "integrator"}) { token } }', {}, member.auth),
    ).createApiToken.token;
  });
  afterAll(async () => {
    await oidc?.stop();
    await t?.close();
  });

  const start = async (name: string) =>
    ok(await t.gql(CREATE_AND_CONNECT, { i: { name, service: slug } }, { token: memberToken }))
      .createAndConnect as { attemptId: string; authorizeUrl: string; connection: { id: string } };
  const opened = async (attemptId: string) =>
    (await t.server.ds.getRepository(AuthorizationAttemptRow).findOneByOrFail({ id: attemptId })).openedAt ??
    null;

  test('opened by a browser signed in to nothing, the link names what it does and starts nothing', async () => {
    const { attemptId, authorizeUrl } = await start('Shared CRM');
    expect(authorizeUrl).toContain('?code=');
    const page = await new Browser().get(authorizeUrl);
    expect(page.status).toBe(200);
    expect(page.location).toBeUndefined();
    expect(page.text).toContain('My workspace');
    expect(page.text).toContain('Shared CRM (shared_crm)');
    expect(page.text).toContain('Confirm OIDC');
    // The owner and who asked (here the same member), by name and email.
    expect(page.text.match(new RegExp(`integrator-${db} \\(${email}\\)`, 'g'))).toHaveLength(2);
    expect(page.text).toContain('<form method="post"');
    expect(await opened(attemptId)).toBeNull();
  });

  test('the form starts the flow only from that page, in that browser', async () => {
    const { attemptId, authorizeUrl } = await start('Only from the page');
    const browser = new Browser();
    const page = await browser.get(authorizeUrl);
    const action = new URL(/action="([^"]+)"/.exec(page.text)![1]!, authorizeUrl).toString();
    const fields = Object.fromEntries(
      [...page.text.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const post = (headers: Record<string, string>, form: Record<string, string> = fields) =>
      request(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
    const cookie = (await request(authorizeUrl)).headers['set-cookie'];
    expect(String(cookie)).toMatch(/connections\.confirm=.*HttpOnly.*SameSite=Strict/i);
    // Another site's form: its Origin, and without the Strict cookie.
    expect((await post({ origin: 'https://evil.example' })).statusCode).toBe(403);
    // The right Origin, but not the browser that saw the page (no cookie).
    expect((await post({ origin: new URL(t.url).origin })).statusCode).toBe(403);
    // The browser's cookie with another page's token.
    const jar = String(cookie).split(';')[0]!;
    const forged = { ...fields, token: 'x'.repeat(43) };
    expect((await post({ origin: new URL(t.url).origin, cookie: jar }, forged)).statusCode).toBe(403);
    expect(await opened(attemptId)).toBeNull();

    // The browser that saw the page, pressing its button: the flow runs and the result names the connection.
    const confirmed = await browser.confirm(page);
    expect(confirmed?.status).toBe(302);
    expect(confirmed?.location?.startsWith(oidc.authorizeUrl)).toBe(true);
    const result = await browser.follow(confirmed!.location!);
    expect(result.text).toContain('Connected');
    expect(result.text).toContain('Only from the page (only_from_the_page)');
    expect(result.text).toContain(`<dt>Owner</dt><dd>integrator-${db} (${email})</dd>`);
    // Used once: the page is not shown again.
    expect((await new Browser().get(authorizeUrl)).status).toBe(410);
  });

  test('a browser signed in to the console as someone else cannot use the code', async () => {
    const { attemptId, authorizeUrl, connection } = await start('Not for the admin');
    const adminBrowser = new Browser();
    adminBrowser.setCookie(t.url, (await t.adminAuth()).cookie!);
    const refused = await adminBrowser.get(authorizeUrl);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('made for another user');
    expect(await opened(attemptId)).toBeNull();
    // The person it was meant for still can.
    await new Browser().follow(authorizeUrl);
    const seen = ok(
      await t.gql(
        'query($id: ID) { connection(id: $id) { status } }',
        { id: connection.id },
        {
          token: memberToken,
        },
      ),
    );
    expect(seen.connection.status).toBe('CONNECTED');
  });

  test('the requester signed in to the console goes straight to the provider, as before', async () => {
    const r = ok(
      await t.gql(CREATE_AND_CONNECT, { i: { name: 'From the console', service: slug } }, member.auth),
    ).createAndConnect;
    expect(r.authorizeUrl).not.toContain('?code=');
    const browser = new Browser();
    browser.setCookie(t.url, member.auth.cookie!);
    const page = await browser.get(r.authorizeUrl);
    expect(page.status).toBe(302);
    expect(page.location?.startsWith(oidc.authorizeUrl)).toBe(true);
  });
});
