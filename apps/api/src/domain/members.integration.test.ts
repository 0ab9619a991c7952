import { Browser } from '@connections/auth-flows/test-support/browser';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import { AuthorizationRow, ConnectionRow } from '../db/entities';
import { subscribeEvents } from '../test-support/events';
import { addMember, type Auth, databases, startTestServer, type TestServer } from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';

jest.setTimeout(120_000);

const CLIENT_SECRET = 'oidc-client-secret-value-123';

describe.each(databases())('removing a member (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let revocations: Upstream;
  let admin: Auth;
  let oauth: string;
  let apiKey: string;

  beforeAll(async () => {
    // The providers run on loopback.
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    oidc = await startOidcServer([
      {
        client_id: 'connections',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${t.url}/oauth/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    // RFC 7009 revocation endpoint that records what it is sent.
    revocations = await startUpstream((_req, res) => void res.writeHead(200).end());
    admin = await t.adminAuth();
    const service = async (input: Record<string, unknown>) => {
      const r = await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        { i: input },
        admin,
      );
      if (r.errors) throw new Error(r.raw);
      return r.data!.createCustomService.slug as string;
    };
    oauth = await service({
      name: 'Local OIDC',
      authType: 'OAUTH2',
      authorizeUrl: oidc.authorizeUrl,
      accessTokenUrl: oidc.tokenUrl,
      revokeUrl: `${revocations.url}/revoke`,
      profileUrl: oidc.userinfoUrl,
      clientId: 'connections',
      clientSecret: CLIENT_SECRET,
      scopes: ['openid', 'email'],
      apiBaseUrls: [oidc.issuer],
    });
    apiKey = await service({
      name: 'Ledger',
      authType: 'API_KEY',
      paramType: 'HEADERS',
      apiKeyParamName: 'X-Key',
      apiBaseUrls: ['https://ledger.example.test/'],
    });
  });
  afterAll(async () => {
    await revocations?.close();
    await oidc?.stop();
    await t?.close();
  });

  const createAndConnect = async (auth: Auth, input: Record<string, unknown>) => {
    const r = await t.gql(
      'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl connection { id } } }',
      { i: input },
      auth,
    );
    if (r.errors) throw new Error(r.raw);
    return r.data!.createAndConnect as { authorizeUrl: string | null; connection: { id: string } };
  };
  /** The user's own browser, signed in to the console, runs the OAuth flow. */
  const authorizeInBrowser = async (auth: Auth, authorizeUrl: string) => {
    const browser = new Browser();
    browser.setCookie(t.url, auth.cookie!);
    expect((await browser.follow(authorizeUrl)).text).toContain('Connected');
  };
  const connection = async (id: string, auth: Auth = admin) =>
    (await t.gql('query($id: ID) { connection(id: $id) { status owner { email } } }', { id }, auth)).data
      ?.connection;

  test('their credentials die at once, their connections pass to the admin, their authorizations are revoked', async () => {
    const email = `leaver-${db}@example.com`;
    const { auth: cookie, userId } = await addMember(t, email);
    const token = (await t.gql('mutation { createApiToken(input: {name: "ci"}) { token } }', {}, cookie))
      .data!.createApiToken.token as string;
    // Owned by the leaver: an API-key connection and an OAuth one, both with the leaver's credentials.
    const key = await createAndConnect(cookie, {
      name: `Key ${db}`,
      service: apiKey,
      credentials: { apiKey: 'k' },
    });
    const owned = await createAndConnect(cookie, { name: `Owned ${db}`, service: oauth });
    await authorizeInBrowser(cookie, owned.authorizeUrl!);
    // The admin's login-user connection, authorized by the admin and by the leaver.
    const shared = await createAndConnect(admin, {
      name: `Shared ${db}`,
      service: oauth,
      useLoginUserCredentials: true,
    });
    await authorizeInBrowser(admin, shared.authorizeUrl!);
    const mine = await t.gql(
      'mutation($id: ID!) { connect(connectionId: $id) { authorizeUrl } }',
      { id: shared.connection.id },
      cookie,
    );
    await authorizeInBrowser(cookie, mine.data!.connect.authorizeUrl);
    // An open socket on the leaver's token.
    const ws = t.ws({ token });
    const closed = new Promise<{ code?: number }>((resolve) =>
      ws.on('closed', (e) => resolve(e as { code?: number })),
    );
    const log = await subscribeEvents(ws);
    const revokedBefore = revocations.seen.length;

    const r = await t.gql(
      `mutation($i: RemoveMemberInput!) { removeMember(input: $i) {
        user { email } endedSessions revokedApiTokens transferredConnections revokedAuthorizations } }`,
      { i: { userId } },
      admin,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.removeMember).toEqual({
      user: { email },
      endedSessions: 1,
      revokedApiTokens: 1,
      transferredConnections: 2,
      revokedAuthorizations: 3,
    });

    // At once: the session, the token and the socket.
    expect((await t.gql('{ viewer { user { id } } }', {}, cookie)).data?.viewer).toBeNull();
    expect((await t.gql('{ viewer { user { id } } }', {}, { token })).data?.viewer).toBeNull();
    expect((await closed).code).toBe(4403);
    log.stop();
    await ws.dispose();
    // Their connections are the admin's now, and need the admin's own authorization.
    for (const id of [key.connection.id, owned.connection.id])
      expect(await connection(id)).toEqual({
        status: 'NOT_CONNECTED',
        owner: { email: 'admin@example.com' },
      });
    const invoked = await t.gql(
      'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }',
      { i: { connection: `key_${db}`, url: '/v1/ping' } },
      admin,
    );
    expect(invoked.errors?.[0]?.extensions?.code).toBe('NEEDS_AUTHORIZATION');
    // The admin's own authorization of the shared connection is untouched.
    expect(await connection(shared.connection.id)).toEqual({
      status: 'CONNECTED',
      owner: { email: 'admin@example.com' },
    });
    // Every authorization of the leaver is REVOKED with its credentials gone, the OAuth ones at the provider too.
    const rows = await t.server.ds.getRepository(AuthorizationRow).findBy({ principalId: userId });
    expect(rows.map((a) => [a.status, a.credentialsEncrypted ?? null])).toEqual([
      ['REVOKED', null],
      ['REVOKED', null],
      ['REVOKED', null],
    ]);
    expect(revocations.seen.slice(revokedBefore).map((s) => s.url)).toEqual(['/revoke', '/revoke']);
    // They are no longer a member, and it is on record.
    const members = (await t.gql('{ members { user { email } } }', {}, admin)).data!.members;
    expect(members.map((m: { user: { email: string } }) => m.user.email)).not.toContain(email);
    const audit = await t.gql(
      '{ auditEvents(filter: {action: "member.removed"}) { nodes { targetId metadata } } }',
      {},
      admin,
    );
    expect(audit.data!.auditEvents.nodes).toContainEqual({
      targetId: userId,
      metadata: { role: 'MEMBER', endedSessions: 1, revokedApiTokens: 1, transferredConnections: 2 },
    });
  });

  test('a removed member is taken off every restriction, so coming back does not restore access', async () => {
    const { userId: leaver } = await addMember(t, `named-${db}@example.com`);
    const { userId: stays } = await addMember(t, `named-stays-${db}@example.com`);
    const r = await t.gql(
      'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
      {
        i: {
          name: `Restricted ${db}`,
          service: apiKey,
          access: { restricted: true, members: [leaver, stays] },
        },
      },
      admin,
    );
    expect(r.errors).toBeUndefined();
    const id = r.data!.createConnection.id as string;
    const removed = await t.gql(
      'mutation($i: RemoveMemberInput!) { removeMember(input: $i) { transferredConnections } }',
      { i: { userId: leaver } },
      admin,
    );
    expect(removed.data!.removeMember).toEqual({ transferredConnections: 0 });
    const row = await t.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id });
    expect(row.restrictedTo).toEqual([stays]);
  });

  test('admins only, never oneself, and only members of this workspace', async () => {
    const { auth: member, userId } = await addMember(t, `stays-${db}@example.com`);
    const remove = (id: string, auth: Auth) =>
      t.gql(
        'mutation($i: RemoveMemberInput!) { removeMember(input: $i) { endedSessions } }',
        { i: { userId: id } },
        auth,
      );
    expect((await remove(userId, member)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const me = (await t.gql('{ viewer { user { id } } }', {}, admin)).data!.viewer.user.id;
    expect((await remove(me, admin)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'userId',
    });
    expect((await remove('00000000-0000-0000-0000-000000000000', admin)).errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await t.gql('{ viewer { user { id } } }', {}, member)).data?.viewer).toEqual({
      user: { id: userId },
    });
  });
});
