import { scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { UserRow } from '../db/entities';
import { addMember, type Auth, databases, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(120_000);

const SIGN_IN = 'mutation($i: SignInInput!) { signIn(input: $i) { user { email } } }';
const VIEWER = '{ viewer { user { email } } }';

describe.each(databases())('sign-in throttling, passwords and sessions (%s)', (db) => {
  let t: TestServer;
  beforeAll(async () => {
    // Behind a proxy on loopback: each test is a different client address (X-Forwarded-For).
    t = await startTestServer(db, { CONNECTIONS_TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Sign-in from a client address, as a proxy on loopback reports it. */
  const signInFrom = async (address: string, email: string, password: string) => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ query: SIGN_IN, variables: { i: { email, password } } }),
    });
    const body = (await res.json()) as { errors?: { extensions: Record<string, unknown> }[] };
    return {
      status: res.status,
      code: body.errors?.[0]?.extensions.code,
      retryAfterSeconds: body.errors?.[0]?.extensions.retryAfterSeconds,
      retryAfter: res.headers.get('retry-after'),
      cookie: res.headers.get('set-cookie')?.split(';')[0],
    };
  };
  const audit = async (action: string) =>
    (
      await t.gql(
        'query($f: AuditEventFilter) { auditEvents(filter: $f) { nodes { action targetId actor { id } metadata } } }',
        { f: { action } },
        await t.adminAuth(),
      )
    ).data!.auditEvents.nodes as { targetId: string; actor: unknown; metadata: Record<string, unknown> }[];

  test('per account: 5 wrong passwords, then RATE_LIMITED (HTTP 429, Retry-After) even for the right one; the wait doubles', async () => {
    const email = `guessed-${db}@example.com`;
    const { userId } = await addMember(t, email);
    const right = `pw-${email}-long-enough`;
    for (let i = 0; i < 5; i++)
      expect(await signInFrom('198.51.100.10', email, 'wrong-password')).toMatchObject({
        status: 200,
        code: 'UNAUTHENTICATED',
      });
    const limited = await signInFrom('198.51.100.11', email, right);
    expect(limited).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      retryAfterSeconds: 1,
      retryAfter: '1',
    });
    expect(limited.cookie).toBeUndefined();

    await new Promise((r) => setTimeout(r, 1_100));
    expect(await signInFrom('198.51.100.11', email, 'wrong-again')).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect(await signInFrom('198.51.100.11', email, right)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: '2',
    });
    await new Promise((r) => setTimeout(r, 2_100));
    const ok = await signInFrom('198.51.100.11', email, right);
    expect(ok.code).toBeUndefined();
    expect(ok.cookie).toMatch(/^cnx_session=/);
    // The right password forgot the failures: the next mistake is answered as a mistake, not throttled.
    expect(await signInFrom('198.51.100.11', email, 'wrong-password')).toMatchObject({
      code: 'UNAUTHENTICATED',
    });

    // Each wrong password was audited in the member's workspace, with the client address, never the password.
    const failures = (await audit('user.sign_in_failed')).filter((e) => e.targetId === userId);
    expect(failures).toHaveLength(7);
    expect(failures[failures.length - 1]).toMatchObject({
      actor: null,
      metadata: { clientAddress: '198.51.100.10' },
    });
    expect(JSON.stringify(failures)).not.toMatch(/wrong-password|wrong-again|long-enough/);
  });

  test('per client address: 20 wrong guesses over many accounts, then RATE_LIMITED, even sent all at once', async () => {
    const guesses = Array.from({ length: 26 }, (_, i) =>
      signInFrom('203.0.113.50', `nobody-${i}-${db}@example.com`, 'guess'),
    );
    const codes = (await Promise.all(guesses)).map((r) => r.code);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(20);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(6);
    // Another address is not affected.
    await addMember(t, `elsewhere-${db}@example.com`);
    const other = await signInFrom(
      '203.0.113.51',
      `elsewhere-${db}@example.com`,
      `pw-elsewhere-${db}@example.com-long-enough`,
    );
    expect(other.code).toBeUndefined();
  });

  test('a hash from before the OWASP cost is upgraded at the next successful sign-in', async () => {
    const email = `legacy-${db}@example.com`;
    const { userId } = await addMember(t, email);
    const password = `pw-${email}-long-enough`;
    const salt = Buffer.alloc(16, 3);
    const old = (await promisify(scrypt)(password, salt, 64)) as Buffer;
    const legacy = ['scrypt', 16384, 8, 1, salt.toString('base64url'), old.toString('base64url')].join('$');
    const users = t.server.ds.getRepository(UserRow);
    await users.update({ id: userId }, { passwordHash: legacy });
    expect((await signInFrom('198.51.100.20', email, password)).cookie).toBeDefined();
    const upgraded = (await users.findOneByOrFail({ id: userId })).passwordHash;
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await signInFrom('198.51.100.20', email, password)).cookie).toBeDefined();
  });

  test('changePassword: needs the current password and a session; other sessions end, this one and API tokens stay', async () => {
    const email = `changer-${db}@example.com`;
    const { auth: first } = await addMember(t, email);
    const password = `pw-${email}-long-enough`;
    const second = await t.signIn(email, password);
    const token = (await t.gql('mutation { createApiToken(input: {name: "ci"}) { token } }', {}, first)).data!
      .createApiToken.token as string;
    const change = (auth: Auth, currentPassword: string, newPassword = 'a-brand-new-password') =>
      t.gql(
        'mutation($i: ChangePasswordInput!) { changePassword(input: $i) }',
        { i: { currentPassword, newPassword } },
        auth,
      );

    expect((await change(first, 'not-my-password')).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'currentPassword',
    });
    expect((await change({ token }, password)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await change(first, password, 'short')).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'newPassword',
    });
    expect((await change(first, password)).data?.changePassword).toBe(true);

    expect((await t.gql(VIEWER, {}, first)).data?.viewer).toEqual({ user: { email } });
    expect((await t.gql(VIEWER, {}, second)).data?.viewer).toBeNull();
    expect((await t.gql(VIEWER, {}, { token })).data?.viewer).toEqual({ user: { email } });
    expect((await signInFrom('198.51.100.30', email, password)).code).toBe('UNAUTHENTICATED');
    expect((await signInFrom('198.51.100.30', email, 'a-brand-new-password')).cookie).toBeDefined();
    expect(await audit('user.password_changed')).toEqual(
      expect.arrayContaining([expect.objectContaining({ metadata: { endedSessions: 1 } })]),
    );
  });

  test('signOutEverywhere ends every session of the user, this one too; API tokens only when asked', async () => {
    const email = `everywhere-${db}@example.com`;
    const { auth: first } = await addMember(t, email);
    const second = await t.signIn(email, `pw-${email}-long-enough`);
    const token = (await t.gql('mutation { createApiToken(input: {name: "ci"}) { token } }', {}, first)).data!
      .createApiToken.token as string;
    const out = await t.gql('mutation { signOutEverywhere { endedSessions revokedApiTokens } }', {}, first);
    expect(out.data?.signOutEverywhere).toEqual({ endedSessions: 2, revokedApiTokens: 0 });
    expect(out.headers.get('set-cookie')).toMatch(/cnx_session=;/);
    expect((await t.gql(VIEWER, {}, first)).data?.viewer).toBeNull();
    expect((await t.gql(VIEWER, {}, second)).data?.viewer).toBeNull();
    expect((await t.gql(VIEWER, {}, { token })).data?.viewer).toEqual({ user: { email } });

    const third = await t.signIn(email, `pw-${email}-long-enough`);
    const all = await t.gql(
      'mutation { signOutEverywhere(includeApiTokens: true) { endedSessions revokedApiTokens } }',
      {},
      third,
    );
    expect(all.data?.signOutEverywhere).toEqual({ endedSessions: 1, revokedApiTokens: 1 });
    expect((await t.gql(VIEWER, {}, { token })).data?.viewer).toBeNull();
  });
});

// Replicas share the counters through Redis: guesses spread over replicas are throttled as one. CI sets both.
const replicated = !!process.env.REDIS_URL && !!process.env.DATABASE_URL?.startsWith('postgres');
(replicated ? describe : describe.skip)('sign-in throttling across replicas', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env = {
      REDIS_URL: process.env.REDIS_URL!,
      CONNECTIONS_REDIS_PREFIX: `t${Date.now().toString(36)}`,
    };
    a = await startTestServer('postgres', env);
    b = await startTestServer('postgres', env, { replicaOf: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  test('wrong passwords on one replica throttle the account on the other', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await a.gql(SIGN_IN, { i: { email: 'admin@example.com', password: 'wrong-password' } });
      expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const r = await b.gql(SIGN_IN, { i: { email: 'admin@example.com', password: 'admin-password-123' } });
    expect(r.status).toBe(429);
    expect(r.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});
