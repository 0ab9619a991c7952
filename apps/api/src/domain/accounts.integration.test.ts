import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  addMember,
  databases,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(60_000);

describe.each(databases())('accounts and access (%s)', (db) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(db);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('health and readiness', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${t.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  test('sign-in sets an httpOnly SameSite=Lax cookie; sign-out ends the session', async () => {
    const r = await t.gql('mutation($i: SignInInput!) { signIn(input: $i) { user { email } role } }', {
      i: { email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD },
    });
    expect(r.data?.signIn).toEqual({ user: { email: ADMIN_EMAIL }, role: 'ADMIN' });
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^cnx_session=cnx_sess_/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const auth = { cookie: setCookie.split(';')[0]! };
    expect((await t.gql('{ viewer { user { email } authMethod } }', {}, auth)).data?.viewer).toEqual({
      user: { email: ADMIN_EMAIL },
      authMethod: 'SESSION',
    });
    const out = await t.gql('mutation { signOut }', {}, auth);
    expect(out.data?.signOut).toBe(true);
    expect(out.headers.get('set-cookie')).toMatch(/cnx_session=;/);
    expect((await t.gql('{ viewer { user { email } } }', {}, auth)).data?.viewer).toBeNull();
    const denied = await t.gql('{ connections { totalCount } }', {}, auth);
    expect(denied.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('a wrong password or unknown email is refused with the same message', async () => {
    const q = 'mutation($i: SignInInput!) { signIn(input: $i) { user { id } } }';
    const wrong = await t.gql(q, { i: { email: ADMIN_EMAIL, password: 'not-the-password' } });
    const unknown = await t.gql(q, { i: { email: 'nobody@example.com', password: 'whatever-password' } });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const bad = await t.gql(q, { i: { email: 'not-an-email', password: 'x' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });

  test('API tokens: shown once, stored hashed, work over HTTP and graphql-ws, revocable', async () => {
    const admin = await t.adminAuth();
    const created = await t.gql(
      'mutation { createApiToken(input: {name: "ci"}) { token apiToken { id name prefix } } }',
      {},
      admin,
    );
    const { token, apiToken } = created.data!.createApiToken;
    expect(token).toMatch(/^cnx_live_/);
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    const listed = await t.gql('{ apiTokens { id name prefix revokedAt } }', {}, admin);
    expect(listed.raw).not.toContain(token);
    expect(listed.data?.apiTokens).toContainEqual({
      id: apiToken.id,
      name: 'ci',
      prefix: apiToken.prefix,
      revokedAt: null,
    });
    const rows = await t.server.ds.query('SELECT * FROM api_token');
    expect(JSON.stringify(rows)).not.toContain(token);

    expect((await t.gql('{ viewer { authMethod } }', {}, { token })).data?.viewer).toEqual({
      authMethod: 'API_TOKEN',
    });
    const ws = t.ws({ token });
    const viaWs = await new Promise<any>((resolve, reject) => {
      let result: any;
      ws.subscribe(
        { query: '{ viewer { user { email } authMethod } }' },
        { next: (v) => (result = v), error: reject, complete: () => resolve(result) },
      );
    });
    expect(viaWs.data.viewer).toEqual({ user: { email: ADMIN_EMAIL }, authMethod: 'API_TOKEN' });
    await ws.dispose();

    await t.gql('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: apiToken.id }, admin);
    expect((await t.gql('{ viewer { authMethod } }', {}, { token })).data?.viewer).toBeNull();
  });

  test('graphql-ws refuses a socket without valid credentials with close code 4403', async () => {
    for (const params of [undefined, { authorization: 'Bearer cnx_live_nope' }]) {
      const ws = t.ws(params);
      const closed = await new Promise<{ code?: number }>((resolve) => {
        ws.on('closed', (e) => resolve(e as { code?: number }));
        ws.subscribe(
          { query: '{ viewer { authMethod } }' },
          { next: () => {}, error: () => {}, complete: () => {} },
        );
      });
      expect(closed.code).toBe(4403);
      await ws.dispose();
    }
  });

  test('admins add members; members cannot use admin-only mutations', async () => {
    const { auth: member } = await addMember(t, 'member1@example.com');
    const viewer = await t.gql('{ viewer { role user { email } } }', {}, member);
    expect(viewer.data?.viewer).toEqual({ role: 'MEMBER', user: { email: 'member1@example.com' } });
    const attempts = [
      [
        'mutation { addMember(input: {email: "x@example.com", password: "long-enough-pass"}) { role } }',
        'addMember',
      ],
      [
        'mutation { createCustomService(input: {name: "X", authType: BASIC, apiBaseUrls: ["https://x.example"]}) { id } }',
        'createCustomService',
      ],
      [
        'mutation { setServiceCredentials(input: {slug: "github", clientId: "a", clientSecret: "b"}) { id } }',
        'setServiceCredentials',
      ],
    ];
    for (const [q] of attempts) {
      const r = await t.gql(q!, {}, member);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const dup = await t.gql(
      'mutation { addMember(input: {email: "member1@example.com", password: "long-enough-pass"}) { role } }',
      {},
      await t.adminAuth(),
    );
    expect(dup.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  test('the last admin cannot be demoted', async () => {
    const admin = await t.adminAuth();
    const me = (await t.gql('{ viewer { user { id } } }', {}, admin)).data!.viewer.user.id;
    const r = await t.gql(
      'mutation($i: SetMemberRoleInput!) { setMemberRole(input: $i) { role } }',
      { i: { userId: me, role: 'MEMBER' } },
      admin,
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'role' });
  });
});
