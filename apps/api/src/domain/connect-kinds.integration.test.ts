import { authenticate, catalog, type Credentials } from '@connections/auth-flows';
import { Browser } from '@connections/auth-flows/test-support/browser';
import {
  type OAuth1Provider,
  startOAuth1Provider,
} from '@connections/auth-flows/test-support/oauth1-provider';
import { randomBytes } from 'node:crypto';
import { parseKey, SecretBox } from '../crypto/secret-box';
import { AuthorizationAttemptRow, AuthorizationRow, ConnectionRow } from '../db/entities';
import { subscribeEvents, type EventLog } from '../test-support/events';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  seedWorkspaceWithUser,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { dumpDatabase, rowCounts, sqliteFileBytes } from '../test-support/storage-scan';
import { cookieWsClient, firstResult } from '../test-support/ws-clients';
import { openCredentials } from './credentials-store';

jest.setTimeout(90_000);

const RESULT = `attemptId authorizeUrl authorization { status }
  connection { id linkName status authorization { status principal { email } account { id name } } }`;
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { ${RESULT} } }`;
const CONNECT = `mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) { ${RESULT} } }`;
const CREATE = 'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id linkName } }';
const CONNECTION = `query($id: ID) { connection(id: $id) {
  id status authorization { status principal { email } account { id } } } }`;
const LIST = `query($s: ConnectionScope!) { connections(filter: {scope: $s}, first: 100) { nodes { id status } } }`;
const SERVICE = 'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }';
const EVENTS = `subscription($c: ID) { authorizationEvents(connectionId: $c) { id type } }`;

const CONSUMER_KEY = 'cnx-oauth1-consumer';
const CONSUMER_SECRET = `consumer-secret-${randomBytes(8).toString('hex')}`;
// Values sent in refused requests: an error message must not echo them either.
const REFUSED = { password: 'refused-password-7f3a91', apiKey: 'refused-key-c02e55' };

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

function errorOf(r: GqlResult) {
  expect(r.data ?? null).toBeNull();
  expect(r.errors).toHaveLength(1);
  return r.errors![0]!;
}

describe.each(databases())('Connect: every kind of authorization (%s)', (db) => {
  let t: TestServer;
  let provider: OAuth1Provider;
  let admin: Auth;
  let token: string;
  const slugs: Record<'basic' | 'oauth1' | 'oauth2' | 'HEADERS' | 'QUERY_STRING' | 'FORM_DATA', string> =
    {} as any;
  const members: Record<'a' | 'b', { auth: Auth; userId: string; email: string }> = {} as any;
  /** Every password, key, token and client secret this file used: none may leak anywhere. */
  const secrets: string[] = [CONSUMER_SECRET, REFUSED.password, REFUSED.apiKey];
  const secret = (label: string) => {
    const value = `${label}-${randomBytes(9).toString('hex')}`;
    secrets.push(value);
    return value;
  };

  const createAndConnect = (input: Record<string, unknown>, auth: Auth = { token }) =>
    t.gql(CREATE_AND_CONNECT, { i: input }, auth);
  const connect = (id: string, credentials: Record<string, unknown> | null, auth: Auth = { token }) =>
    t.gql(CONNECT, { id, c: credentials }, auth);
  const storedCredentials = async (connectionId: string, principalId?: string) => {
    const row = await t.server.ds
      .getRepository(AuthorizationRow)
      .findOneByOrFail(principalId ? { connectionId, principalId } : { connectionId });
    const box = new SecretBox(parseKey(t.env.CONNECTIONS_ENCRYPTION_KEY!, 'key'));
    return { raw: row.credentialsEncrypted!, credentials: openCredentials(box, row) as Credentials };
  };
  const listIds = async (scope: 'OWN' | 'SHARED' | 'ALL', auth: Auth) =>
    ok(await t.gql(LIST, { s: scope }, auth)).connections.nodes.map((n: any) => n.id);

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    provider = await startOAuth1Provider({ [CONSUMER_KEY]: { secret: CONSUMER_SECRET } });
    admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "integrator"}) { token } }', {}, admin))
      .createApiToken.token;
    const service = async (i: Record<string, unknown>) =>
      ok(await t.gql(SERVICE, { i: { apiBaseUrls: ['https://ledger.example.test/api/'], ...i } }, { token }))
        .createCustomService.slug as string;
    slugs.oauth1 = await service({
      name: 'Local OAuth 1.0a',
      authType: 'OAUTH1',
      requestTokenUrl: `${provider.url}/oauth/request_token`,
      authorizeUrl: `${provider.url}/oauth/authorize`,
      accessTokenUrl: `${provider.url}/oauth/access_token`,
      profileUrl: `${provider.url}/api/me`,
      clientId: CONSUMER_KEY,
      clientSecret: CONSUMER_SECRET,
      apiBaseUrls: [`${provider.url}/api/`],
    });
    slugs.oauth2 = await service({
      name: 'Some OAuth 2.0',
      authType: 'OAUTH2',
      authorizeUrl: 'https://ledger.example.test/authorize',
      accessTokenUrl: 'https://ledger.example.test/token',
      clientId: 'ledger-client',
      clientSecret: secret('oauth2-client-secret'),
    });
    slugs.basic = await service({ name: 'Ledger Basic', authType: 'BASIC', paramType: 'HEADERS' });
    for (const paramType of ['HEADERS', 'QUERY_STRING', 'FORM_DATA'] as const)
      slugs[paramType] = await service({
        name: `Ledger key in ${paramType}`,
        authType: 'API_KEY',
        paramType,
        apiKeyParamName: paramType === 'HEADERS' ? 'X-Api-Key' : 'api_key',
      });
    for (const who of ['a', 'b'] as const) {
      const email = `member-${who}-${db}@example.com`;
      members[who] = { ...(await addMember(t, email)), email };
    }
  });
  afterAll(async () => {
    await provider?.close();
    await t?.close();
  });

  test('OAuth 1.0a: an integrator connects, the browser passes the provider, the token is stored encrypted', async () => {
    const ws = t.ws({ token });
    const log = await subscribeEvents(ws);
    const r = ok(await createAndConnect({ name: 'Ledger OAuth1', service: slugs.oauth1 }));
    const { attemptId, authorizeUrl, connection } = r.createAndConnect;
    expect(connection.status).toBe('PENDING');
    expect(authorizeUrl).toMatch(new RegExp(`^${t.url}/oauth/connect/${attemptId}\\?code=`));

    // Request token, the provider's auto-approving authorize page, our callback, the access token.
    const page = await new Browser().follow(authorizeUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Connected');
    expect(page.text).not.toContain(CONSUMER_SECRET);
    expect(provider.counts).toMatchObject({ requestToken: 1, accessToken: 1, rejected: 0 });

    const event = await log.waitFor((e) => e.attemptId === attemptId);
    expect(event).toMatchObject({
      type: 'AUTHORIZED',
      status: 'CONNECTED',
      connectionId: connection.id,
      linkName: 'ledger_oauth1',
    });
    const after = ok(await t.gql(CONNECTION, { id: connection.id }, { token })).connection;
    expect(after).toMatchObject({ status: 'CONNECTED', authorization: { account: { id: 'u-1001' } } });

    // Stored sealed: the column holds neither the token nor its secret, yet they are the ones the provider
    // issued (it accepts a request signed with them).
    const stored = await storedCredentials(connection.id);
    expect(stored.raw.startsWith('v1.')).toBe(true);
    expect(stored.credentials).toEqual({
      type: 'OAUTH1',
      token: expect.any(String),
      tokenSecret: expect.any(String),
    });
    if (stored.credentials.type !== 'OAUTH1') throw new Error('not OAuth 1.0a credentials');
    secrets.push(stored.credentials.token, stored.credentials.tokenSecret);
    expect(stored.raw).not.toContain(stored.credentials.token);
    expect(stored.raw).not.toContain(stored.credentials.tokenSecret);
    const signed = authenticate(
      { method: 'GET', url: `${provider.url}/api/resource?check=1`, headers: {} },
      stored.credentials,
      {
        slug: 'local',
        displayName: 'Local OAuth 1.0a',
        authType: 'OAUTH1',
        paramType: 'HEADERS',
        scopes: [],
        defaultScopes: [],
        scopeDelimiter: ',',
        apiBaseUrls: [`${provider.url}/api/`],
      },
      { clientId: CONSUMER_KEY, clientSecret: CONSUMER_SECRET },
    );
    const resource = await fetch(signed.url, { headers: signed.headers });
    expect(resource.status).toBe(200);
    expect(await resource.json()).toMatchObject({ user: 'u-1001' });
    log.stop();
    await ws.dispose();
  });

  describe('BASIC and API_KEY', () => {
    let log: EventLog;
    let ws: ReturnType<TestServer['ws']>;
    beforeAll(async () => {
      ws = t.ws({ token });
      log = await subscribeEvents(ws);
    });
    afterAll(async () => {
      log.stop();
      await ws.dispose();
    });

    test('BASIC: credentials in the mutation, CONNECTED at once, AUTHORIZED heard; connect again is REAUTHORIZED', async () => {
      const password = secret('basic-password');
      const r = ok(
        await createAndConnect({
          name: 'Ledger basic',
          service: slugs.basic,
          credentials: { username: 'ledger-user', password },
        }),
      ).createAndConnect;
      expect(r.authorizeUrl).toBeNull();
      expect(r.authorization.status).toBe('CONNECTED');
      expect(r.connection).toMatchObject({
        status: 'CONNECTED',
        authorization: { status: 'CONNECTED', account: { id: 'ledger-user' } },
      });
      expect(await log.waitFor((e) => e.attemptId === r.attemptId)).toMatchObject({
        type: 'AUTHORIZED',
        status: 'CONNECTED',
        connectionId: r.connection.id,
      });
      const first = await storedCredentials(r.connection.id);
      expect(first.credentials).toEqual({ type: 'BASIC', username: 'ledger-user', password });

      const newPassword = secret('basic-password-rotated');
      const again = ok(
        await connect(r.connection.id, { username: 'ledger-user', password: newPassword }),
      ).connect;
      expect(again.authorizeUrl).toBeNull();
      expect(again.attemptId).not.toBe(r.attemptId);
      expect(again.connection.status).toBe('CONNECTED');
      expect(await log.waitFor((e) => e.attemptId === again.attemptId)).toMatchObject({
        type: 'REAUTHORIZED',
        status: 'CONNECTED',
      });
      expect((await storedCredentials(r.connection.id)).credentials).toEqual({
        type: 'BASIC',
        username: 'ledger-user',
        password: newPassword,
      });

      // A wrongly shaped re-connect is refused and leaves the working credentials as they were.
      const before = await rowCounts(t);
      const refused = await connect(r.connection.id, { username: 'ledger-user' });
      expect(errorOf(refused).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'credentials.password',
      });
      expect(await rowCounts(t)).toEqual(before);
      expect((await storedCredentials(r.connection.id)).credentials).toMatchObject({ password: newPassword });
    });

    test.each(['HEADERS', 'QUERY_STRING', 'FORM_DATA'] as const)(
      'API_KEY in %s: CONNECTED at once with AUTHORIZED for the attempt',
      async (paramType) => {
        const apiKey = secret(`api-key-${paramType}`);
        const r = ok(
          await createAndConnect({
            name: `Ledger key ${paramType}`,
            service: slugs[paramType],
            credentials: { apiKey },
          }),
        ).createAndConnect;
        expect(r.authorizeUrl).toBeNull();
        expect(r.connection.status).toBe('CONNECTED');
        expect(await log.waitFor((e) => e.attemptId === r.attemptId)).toMatchObject({
          type: 'AUTHORIZED',
          connectionId: r.connection.id,
        });
        expect((await storedCredentials(r.connection.id)).credentials).toEqual({ type: 'API_KEY', apiKey });
      },
    );

    test.each([
      ['BASIC without a password', 'basic', { username: 'u' }, 'credentials.password'],
      ['BASIC without a username', 'basic', { password: REFUSED.password }, 'credentials.username'],
      ['BASIC without credentials', 'basic', null, 'credentials.username'],
      ['BASIC with an apiKey', 'basic', { username: 'u', ...REFUSED }, 'credentials.apiKey'],
      ['API_KEY without a key', 'HEADERS', { username: 'u' }, 'credentials.apiKey'],
      [
        'API_KEY with a username',
        'QUERY_STRING',
        { apiKey: REFUSED.apiKey, username: 'u' },
        'credentials.username',
      ],
      ['OAuth 2.0 with credentials', 'oauth2', { apiKey: REFUSED.apiKey }, 'credentials'],
      ['OAuth 1.0a with credentials', 'oauth1', { username: 'u', password: REFUSED.password }, 'credentials'],
    ] as const)(
      '%s: BAD_USER_INPUT naming the field, nothing created',
      async (_label, kind, credentials, field) => {
        const before = await rowCounts(t);
        const r = await createAndConnect({
          name: `Refused ${kind}`,
          service: slugs[kind],
          ...(credentials ? { credentials } : {}),
        });
        const error = errorOf(r);
        expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
        expect(error.message).toContain(field);
        expect(await rowCounts(t)).toEqual(before);
      },
    );
  });

  test('a catalog service with a test request that cannot be reached: a clear error, nothing created', async () => {
    const entry = catalog.find(
      (e) => (e.authType === 'BASIC' || e.authType === 'API_KEY') && e.testRequest && !e.subdomain,
    );
    if (!entry) throw new Error('the catalog has no BASIC or API_KEY entry with a test request');
    const credentials =
      entry.authType === 'BASIC'
        ? { username: 'catalog-user', password: secret('catalog-password') }
        : { apiKey: secret('catalog-key') };
    const before = await rowCounts(t);
    const r = await createAndConnect({ name: `Catalog ${entry.slug}`, service: entry.slug, credentials });
    const error = errorOf(r);
    // No network here: the test request fails before any answer, which says nothing about the credentials.
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'credentials', retryable: true });
    expect(error.message).toContain(entry.displayName);
    expect(error.message).toMatch(/could not be (reached|checked)/);
    expect(error.message).not.toMatch(/did not accept/);
    expect(await rowCounts(t)).toEqual(before);

    // The same through connect on an existing connection: no authorization appears.
    const existing = ok(
      await t.gql(CREATE, { i: { name: `Catalog later`, service: entry.slug } }, { token }),
    ).createConnection;
    const mid = await rowCounts(t);
    expect(errorOf(await connect(existing.id, credentials)).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'credentials',
    });
    expect(await rowCounts(t)).toEqual(mid);
  });

  test('a login-user connection: each member connects with their own credentials and sees their own status', async () => {
    const { a, b } = members;
    const shared = ok(
      await t.gql(
        CREATE,
        { i: { name: 'Team ledger', service: slugs.basic, useLoginUserCredentials: true } },
        admin,
      ),
    ).createConnection;
    const view = async (auth: Auth) => ok(await t.gql(CONNECTION, { id: shared.id }, auth)).connection;

    expect(await listIds('OWN', admin)).toContain(shared.id);
    for (const m of [a, b]) {
      expect(await view(m.auth)).toMatchObject({ status: 'NOT_CONNECTED', authorization: null });
      expect(await listIds('SHARED', m.auth)).not.toContain(shared.id);
    }

    const aPassword = secret('member-a-password');
    const ra = ok(await connect(shared.id, { username: 'user-a', password: aPassword }, a.auth)).connect;
    expect(ra.connection.authorization.principal.email).toBe(a.email);
    expect(await view(a.auth)).toMatchObject({
      status: 'CONNECTED',
      authorization: { principal: { email: a.email }, account: { id: 'user-a' } },
    });
    // B's own status, not A's.
    expect(await view(b.auth)).toMatchObject({ status: 'NOT_CONNECTED', authorization: null });
    expect(await listIds('SHARED', a.auth)).toContain(shared.id);
    expect(await listIds('SHARED', b.auth)).not.toContain(shared.id);

    const bPassword = secret('member-b-password');
    ok(await connect(shared.id, { username: 'user-b', password: bPassword }, b.auth));
    expect(await view(b.auth)).toMatchObject({
      status: 'CONNECTED',
      authorization: { principal: { email: b.email }, account: { id: 'user-b' } },
    });
    expect(await view(a.auth)).toMatchObject({ authorization: { principal: { email: a.email } } });
    expect(await listIds('SHARED', b.auth)).toContain(shared.id);
    // The admin owns it and has not connected: it is theirs, not shared with them, and not connected for them.
    expect(await listIds('OWN', admin)).toContain(shared.id);
    expect(await listIds('SHARED', admin)).not.toContain(shared.id);
    expect(await view(admin)).toMatchObject({ status: 'NOT_CONNECTED' });
    // Two authorizations, each with its own member's credentials.
    expect((await storedCredentials(shared.id, a.userId)).credentials).toMatchObject({ password: aPassword });
    expect((await storedCredentials(shared.id, b.userId)).credentials).toMatchObject({ password: bPassword });
  });

  test('an owner-credential connection of the admin cannot be connected by a member', async () => {
    const { a } = members;
    const owned = ok(
      await t.gql(CREATE, { i: { name: 'Admin ledger', service: slugs.basic } }, admin),
    ).createConnection;
    const before = await rowCounts(t);
    // Every member sees it and may call it with the admin's authorization (issue 13), but authorizing it is
    // the owner's or an admin's business: FORBIDDEN, and the owner's authorization is not created.
    const refused = await connect(owned.id, { username: 'user-a', password: REFUSED.password }, a.auth);
    expect(errorOf(refused).extensions?.code).toBe('FORBIDDEN');
    expect(await rowCounts(t)).toEqual(before);

    // Restricted to the owner and admins, it is invisible to the member: NOT_FOUND rather than FORBIDDEN, as a
    // refusal would confirm that it exists.
    const restrict = await t.gql(
      'mutation($i: UpdateConnectionInput!) { updateConnection(input: $i) { id } }',
      { i: { id: owned.id, access: { restricted: true, members: [] } } },
      admin,
    );
    expect(restrict.errors).toBeUndefined();
    const hidden = await connect(owned.id, { username: 'user-a', password: REFUSED.password }, a.auth);
    expect(errorOf(hidden).extensions?.code).toBe('NOT_FOUND');
    expect(await t.server.ds.getRepository(AuthorizationRow).countBy({ connectionId: owned.id })).toBe(0);
  });

  describe('subscriptions', () => {
    test("a member hears their own events, not another member's, even on a connection they own; admins hear both", async () => {
      const { a, b } = members;
      const team = async (auth: Auth, name: string) =>
        ok(await t.gql(CREATE, { i: { name, service: slugs.basic, useLoginUserCredentials: true } }, auth))
          .createConnection.id as string;
      const x = await team(admin, 'Visibility X');
      const y = await team(admin, 'Visibility Y');
      const ofA = await team(a.auth, 'Visibility owned by A');

      const clients = [cookieWsClient(t, a.auth.cookie!), t.ws({ token })];
      const [aLog, adminLog] = await Promise.all(clients.map((c) => subscribeEvents(c)));
      await seedWorkspaceWithUser(t, {
        email: `other-${db}@example.com`,
        password: 'other-workspace-password',
      });
      const otherAuth = await t.signIn(`other-${db}@example.com`, 'other-workspace-password');
      const otherToken = ok(
        await t.gql('mutation { createApiToken(input: {name: "elsewhere"}) { token } }', {}, otherAuth),
      ).createApiToken.token;
      const otherWs = t.ws({ token: otherToken });
      const otherLog = await subscribeEvents(otherWs);

      const bOnX = ok(await connect(x, { username: 'user-b', password: secret('b-on-x') }, b.auth)).connect;
      const bOnA = ok(await connect(ofA, { username: 'user-b', password: secret('b-on-a') }, b.auth)).connect;
      const aOnY = ok(await connect(y, { username: 'user-a', password: secret('a-on-y') }, a.auth)).connect;

      // Events reach each socket in publication order, so once A has heard its own (last) event, anything
      // earlier that A was going to hear has arrived too. B authorizing A's login-user connection is B's
      // business: owning the connection is not enough to hear it (issue 12, item 12).
      await aLog.waitFor((e) => e.attemptId === aOnY.attemptId);
      expect(aLog.events.map((e) => e.attemptId)).toEqual([aOnY.attemptId]);
      for (const attempt of [bOnX, bOnA, aOnY])
        await adminLog.waitFor((e) => e.attemptId === attempt.attemptId);

      // The other workspace hears only its own: connect something there, then look at what arrived.
      const otherSlug = ok(
        await t.gql(
          SERVICE,
          {
            i: {
              name: 'Elsewhere',
              authType: 'API_KEY',
              apiKeyParamName: 'k',
              apiBaseUrls: ['https://x.test/'],
            },
          },
          { token: otherToken },
        ),
      ).createCustomService.slug;
      const mine = ok(
        await createAndConnect(
          { name: 'Elsewhere', service: otherSlug, credentials: { apiKey: secret('elsewhere-key') } },
          { token: otherToken },
        ),
      ).createAndConnect;
      await otherLog.waitFor((e) => e.attemptId === mine.attemptId);
      expect(otherLog.events.map((e) => e.attemptId)).toEqual([mine.attemptId]);
      expect(adminLog.events.map((e) => e.attemptId)).not.toContain(mine.attemptId);

      for (const log of [aLog, adminLog, otherLog]) log.stop();
      await Promise.all([...clients, otherWs].map((c) => c.dispose()));
    });

    test('a connection the subscriber cannot see is NOT_FOUND; errors carry codes as over HTTP', async () => {
      // Restricted to its owner and admins (issue 13: unrestricted, every member sees it).
      const owned = ok(
        await t.gql(
          CREATE,
          { i: { name: 'Not for members', service: slugs.basic, access: { restricted: true, members: [] } } },
          admin,
        ),
      ).createConnection;
      const client = cookieWsClient(t, members.a.auth.cookie!);
      const codeOf = async (query: string, variables: Record<string, unknown> = {}) => {
        const result = await firstResult(client, query, variables);
        expect(result.data ?? null).toBeNull();
        expect(result.errors).toHaveLength(1);
        expect(result.errors![0].message).toEqual(expect.any(String));
        return result.errors![0].extensions?.code;
      };
      expect(await codeOf(EVENTS, { c: owned.id })).toBe('NOT_FOUND');
      // The same connection over HTTP, for comparison.
      expect(errorOf(await t.gql(CONNECTION, { id: owned.id }, members.a.auth)).extensions?.code).toBe(
        'NOT_FOUND',
      );
      expect(await codeOf('subscription { authorizationEvents { noSuchField } }')).toBe(
        'GRAPHQL_VALIDATION_FAILED',
      );
      expect(
        await codeOf('subscription($c: ID!) { authorizationEvents(connectionId: $c) { id } }', { c: null }),
      ).toBe('BAD_USER_INPUT');
      await client.dispose();
    });

    test('a socket without valid credentials is closed with 4403; a session cookie on the upgrade authenticates', async () => {
      for (const client of [
        t.ws(),
        t.ws({ token: 'cnx_not-a-real-token' }),
        t.ws({ cookie: members.a.auth.cookie }),
      ]) {
        // (connectionParams are not the cookie jar: a cookie sent there is ignored.)
        const result = await firstResult(client, '{ viewer { authMethod } }');
        expect(result.closed?.code).toBe(4403);
        await client.dispose();
      }
      const client = cookieWsClient(t, members.a.auth.cookie!);
      const result = await firstResult(client, '{ viewer { authMethod user { email } } }');
      expect(result.data).toEqual({
        viewer: { authMethod: 'SESSION', user: { email: members.a.email } },
      });
      await client.dispose();
    });

    test('deleteConnection: DELETED is heard, and its authorizations and attempts are gone', async () => {
      const r = ok(
        await createAndConnect({
          name: 'Short lived',
          service: slugs.basic,
          useLoginUserCredentials: true,
          credentials: { username: 'owner', password: secret('short-lived') },
        }),
      ).createAndConnect;
      const id = r.connection.id;
      ok(await connect(id, { username: 'user-a', password: secret('short-lived-a') }, members.a.auth));
      const ws = t.ws({ token });
      const log = await subscribeEvents(ws, { connectionId: id });
      expect(ok(await t.gql('mutation($id: ID!) { deleteConnection(id: $id) }', { id }, { token }))).toEqual({
        deleteConnection: id,
      });
      expect(await log.waitFor((e) => e.type === 'DELETED')).toMatchObject({
        connectionId: id,
        linkName: 'short_lived',
      });
      const ds = t.server.ds;
      expect(await ds.getRepository(ConnectionRow).countBy({ id })).toBe(0);
      expect(await ds.getRepository(AuthorizationRow).countBy({ connectionId: id })).toBe(0);
      expect(await ds.getRepository(AuthorizationAttemptRow).countBy({ connectionId: id })).toBe(0);
      expect(errorOf(await t.gql(CONNECTION, { id }, { token })).extensions?.code).toBe('NOT_FOUND');
      log.stop();
      await ws.dispose();
    });
  });

  // Last: it looks at everything the tests above sent, stored and wrote.
  test('no password, key, token or client secret in any response, audit event, row or database file', async () => {
    const audit = ok(
      await t.gql('{ auditEvents(first: 100) { totalCount nodes { action message metadata } } }', {}, admin),
    ).auditEvents;
    expect(audit.totalCount).toBeGreaterThan(20);
    const transcript = t.transcript.join('\n');
    const rows = await dumpDatabase(t);
    const files = sqliteFileBytes(t);
    // (Every test above added some: this one runs last.)
    expect(secrets.length).toBeGreaterThanOrEqual(20);
    for (const value of secrets) {
      expect(transcript).not.toContain(value);
      expect(JSON.stringify(audit.nodes)).not.toContain(value);
      expect(rows).not.toContain(value);
      expect(files.includes(value)).toBe(false);
    }
    // The scans do see what is stored in the clear (an account name), so their silence above means something.
    expect(transcript).toContain('ledger-user');
    expect(rows).toContain('ledger-user');
    if (db === 'sqlite') expect(files.includes('ledger-user')).toBe(true);
  });
});
