import { Browser } from '@connections/auth-flows/test-support/browser';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import { subscribeEvents } from '../test-support/events';
import { addMember, databases, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(90_000);

const CLIENT_SECRET = 'oidc-client-secret-value-123';
const CONNECTION_FIELDS =
  'id linkName status authorization { status grantedScopes account { id name } principal { email } lastError }';

describe.each(databases())('Create and Connect with OAuth 2.0 (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let token: string;
  let slug: string;

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    oidc = await startOidcServer([
      {
        client_id: 'connections',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${t.url}/oauth/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    const admin = await t.adminAuth();
    token = (await t.gql('mutation { createApiToken(input: {name: "integrator"}) { token } }', {}, admin))
      .data!.createApiToken.token;
    const created = await t.gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug redirectUri } }',
      {
        i: {
          name: 'Local OIDC',
          authType: 'OAUTH2',
          authorizeUrl: oidc.authorizeUrl,
          accessTokenUrl: oidc.tokenUrl,
          revokeUrl: oidc.revokeUrl,
          profileUrl: oidc.userinfoUrl,
          clientId: 'connections',
          clientSecret: CLIENT_SECRET,
          scopes: ['openid', 'email'],
          apiBaseUrls: [oidc.issuer],
        },
      },
      { token },
    );
    slug = created.data!.createCustomService.slug;
    expect(created.data!.createCustomService.redirectUri).toBe(`${t.url}/oauth/callback`);
  });
  afterAll(async () => {
    await oidc?.stop();
    await t?.close();
  });

  const createAndConnect = (
    name: string,
    auth = { token } as { token?: string; cookie?: string },
    extra = {},
  ) =>
    t.gql(
      `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { attemptId authorizeUrl connection { ${CONNECTION_FIELDS} } authorization { status } } }`,
      { i: { name, service: slug, ...extra } },
      auth,
    );

  test('an integrator with an API token: createAndConnect, the browser passes consent, a subscriber hears AUTHORIZED', async () => {
    const ws = t.ws({ token });
    const log = await subscribeEvents(ws);
    const r = await createAndConnect('OIDC main');
    expect(r.errors).toBeUndefined();
    const { attemptId, authorizeUrl, connection } = r.data!.createAndConnect;
    expect(connection.status).toBe('PENDING');
    expect(authorizeUrl).toMatch(new RegExp(`^${t.url}/oauth/connect/${attemptId}\\?code=`));

    const browser = new Browser();
    const page = await browser.follow(authorizeUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Connected');
    expect(page.text).toContain('postMessage');
    expect(page.text).not.toContain(CLIENT_SECRET);

    const event = await log.waitFor((e) => e.attemptId === attemptId);
    expect(event).toMatchObject({
      type: 'AUTHORIZED',
      status: 'CONNECTED',
      linkName: 'oidc_main',
      connectionId: connection.id,
    });
    const after = await t.gql(
      `query($id: ID) { connection(id: $id) { ${CONNECTION_FIELDS} } }`,
      { id: connection.id },
      { token },
    );
    expect(after.data!.connection.status).toBe('CONNECTED');
    expect(after.data!.connection.authorization.grantedScopes).toEqual(
      expect.arrayContaining(['openid', 'email']),
    );
    expect(after.data!.connection.authorization.account).toEqual({
      id: 'user-42',
      name: 'user-42@example.test',
    });

    // The link works once.
    const again = await new Browser().get(authorizeUrl);
    expect(again.status).toBe(410);
    log.stop();
    await ws.dispose();
  });

  test('a console user opens the URL with their session; another user is refused and nothing changes', async () => {
    const admin = await t.adminAuth();
    const r = await createAndConnect('OIDC console', admin);
    const { attemptId, authorizeUrl, connection } = r.data!.createAndConnect;
    expect(authorizeUrl).toBe(`${t.url}/oauth/connect/${attemptId}`);

    const { auth: member } = await addMember(t, `other-${db}@example.com`);
    const intruder = new Browser();
    intruder.setCookie(t.url, member.cookie!);
    expect((await intruder.get(authorizeUrl)).status).toBe(403);
    expect((await new Browser().get(authorizeUrl)).status).toBe(403);

    const owner = new Browser();
    owner.setCookie(t.url, admin.cookie!);
    const page = await owner.follow(authorizeUrl);
    expect(page.text).toContain('Connected');
    const after = await t.gql(
      `query($id: ID) { connection(id: $id) { status } }`,
      { id: connection.id },
      admin,
    );
    expect(after.data!.connection.status).toBe('CONNECTED');
  });

  test('denied consent gives DENIED; a failed re-authorization keeps the working credentials', async () => {
    const ws = t.ws({ token });
    const log = await subscribeEvents(ws);
    const r = await createAndConnect('OIDC denied');
    const { attemptId, authorizeUrl, connection } = r.data!.createAndConnect;
    const browser = new Browser();
    // Stop at the provider's authorize endpoint and refuse there, as a user clicking "Deny" would.
    const atProvider = await browser.follow(authorizeUrl, (url) => url.startsWith(oidc.authorizeUrl));
    const denyUrl = new URL(atProvider.stoppedAt!);
    denyUrl.searchParams.set('login_hint', 'deny');
    const page = await browser.follow(denyUrl.toString());
    expect(page.text).toContain('Access denied');
    const event = await log.waitFor((e) => e.attemptId === attemptId);
    expect(event).toMatchObject({ type: 'DENIED', status: 'DENIED' });
    const after = await t.gql(
      `query($id: ID) { connection(id: $id) { ${CONNECTION_FIELDS} } }`,
      { id: connection.id },
      { token },
    );
    expect(after.data!.connection.status).toBe('DENIED');

    // Connect it properly, then deny a re-authorization: still CONNECTED with the same credentials.
    const ok = await t.gql(
      'mutation($id: ID!) { connect(connectionId: $id) { attemptId authorizeUrl } }',
      { id: connection.id },
      { token },
    );
    await new Browser().follow(ok.data!.connect.authorizeUrl);
    await log.waitFor((e) => e.attemptId === ok.data!.connect.attemptId && e.type === 'AUTHORIZED');
    const stored = await t.server.ds.query(
      `SELECT "credentialsEncrypted" FROM "authorization" WHERE "connectionId" = '${connection.id}'`,
    );
    const re = await t.gql(
      'mutation($id: ID!) { connect(connectionId: $id) { attemptId authorizeUrl } }',
      { id: connection.id },
      { token },
    );
    const b2 = new Browser();
    const at2 = await b2.follow(re.data!.connect.authorizeUrl, (url) => url.startsWith(oidc.authorizeUrl));
    const deny2 = new URL(at2.stoppedAt!);
    deny2.searchParams.set('login_hint', 'deny');
    await b2.follow(deny2.toString());
    const denied = await log.waitFor((e) => e.attemptId === re.data!.connect.attemptId);
    expect(denied).toMatchObject({ type: 'DENIED', status: 'CONNECTED' });
    const still = await t.server.ds.query(
      `SELECT "credentialsEncrypted", "status" FROM "authorization" WHERE "connectionId" = '${connection.id}'`,
    );
    expect(still).toEqual([{ credentialsEncrypted: stored[0].credentialsEncrypted, status: 'CONNECTED' }]);
    log.stop();
    await ws.dispose();
  });

  test('a tampered state, an expired attempt and an unknown attempt change nothing', async () => {
    const r = await createAndConnect('OIDC tampered');
    const { authorizeUrl, connection, attemptId } = r.data!.createAndConnect;
    const browser = new Browser();
    const atCallback = await browser.follow(authorizeUrl, (url) => url.startsWith(`${t.url}/oauth/callback`));
    const callback = new URL(atCallback.stoppedAt!);
    callback.searchParams.set('state', 'forged-state');
    const page = await browser.get(callback.toString());
    expect(page.status).toBe(400);
    const row = await t.server.ds.query(
      `SELECT "status", "credentialsEncrypted" FROM "authorization" WHERE "connectionId" = '${connection.id}'`,
    );
    expect(row).toEqual([{ status: 'PENDING', credentialsEncrypted: null }]);

    // An expired attempt: the link is refused before the provider is even asked.
    const second = await t.gql(
      'mutation($id: ID!) { connect(connectionId: $id) { attemptId authorizeUrl } }',
      { id: connection.id },
      { token },
    );
    await t.server.ds.query(
      `UPDATE "authorization_attempt" SET "expiresAt" = '2000-01-01 00:00:00' WHERE "id" = '${second.data!.connect.attemptId}'`,
    );
    expect((await new Browser().get(second.data!.connect.authorizeUrl)).status).toBe(410);
    expect(
      (await new Browser().get(`${t.url}/oauth/connect/00000000-0000-0000-0000-000000000000`)).status,
    ).toBe(404);
    const still = await t.server.ds.query(
      `SELECT "status", "credentialsEncrypted" FROM "authorization" WHERE "connectionId" = '${connection.id}'`,
    );
    expect(still).toEqual([{ status: 'PENDING', credentialsEncrypted: null }]);
    expect(attemptId).not.toBe(second.data!.connect.attemptId);
  });

  test('revokeAuthorization calls the provider (RFC 7009) and removes the credentials; REVOKED is heard', async () => {
    const ws = t.ws({ token });
    const r = await createAndConnect('OIDC revoke');
    const { authorizeUrl, connection, attemptId } = r.data!.createAndConnect;
    const log = await subscribeEvents(ws, { connectionId: connection.id });
    await new Browser().follow(authorizeUrl);
    await log.waitFor((e) => e.attemptId === attemptId && e.type === 'AUTHORIZED');
    const revoked = await t.gql(
      'mutation($id: ID!) { revokeAuthorization(connectionId: $id) { status } }',
      { id: connection.id },
      { token },
    );
    expect(revoked.data!.revokeAuthorization.status).toBe('REVOKED');
    await log.waitFor((e) => e.type === 'REVOKED' && e.connectionId === connection.id);
    const row = await t.server.ds.query(
      `SELECT "credentialsEncrypted" FROM "authorization" WHERE "connectionId" = '${connection.id}'`,
    );
    expect(row[0].credentialsEncrypted).toBeNull();
    const audit = await t.gql(
      'query($id: ID) { auditEvents(filter: {connectionId: $id}) { nodes { action message } } }',
      { id: connection.id },
      { token },
    );
    expect(audit.data!.auditEvents.nodes.map((n: any) => n.action)).toEqual(
      expect.arrayContaining(['connection.created', 'authorization.AUTHORIZED', 'authorization.REVOKED']),
    );
    expect(audit.raw).not.toContain(CLIENT_SECRET);
    log.stop();
    await ws.dispose();
  });
});
