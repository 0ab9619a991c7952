import { Browser } from '@connections/auth-flows/test-support/browser';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import { AuthorizationAttemptRow, AuthorizationRow, ConnectionRow } from '../db/entities';
import { subscribeEvents } from '../test-support/events';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { ATTEMPT_TTL_MS } from './attempts';
import { holdForNewAttempt, SWEEP_GRACE_MS } from './unfinished-connections';
import { newId } from '../db/entities/base';
import { waitFor } from '../test-support/wait';

jest.setTimeout(120_000);

const CLIENT_SECRET = 'oidc-client-secret-unfinished-123';
const FIELDS = 'id linkName status finished unfinishedExpiresAt owner { email }';
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { attemptId authorizeUrl connection { ${FIELDS} } } }`;
const CONNECT = `mutation($id: ID!) { connect(connectionId: $id) { attemptId authorizeUrl connection { ${FIELDS} } } }`;
const CONNECTION = `query($id: ID) { connection(id: $id) { ${FIELDS} } }`;
const LIST = `query($s: ConnectionScope!) { connections(filter: {scope: $s}, first: 100) { nodes { ${FIELDS} } } }`;
const CREATE =
  'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id linkName finished } }';

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
}

describe.each(databases())('Connections are created on success (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let admin: Auth;
  let slug: string;
  const people: Record<'creator' | 'other', { auth: Auth; token: string; userId: string }> = {} as any;

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
    admin = await t.adminAuth();
    slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Local OIDC',
            authType: 'OAUTH2',
            authorizeUrl: oidc.authorizeUrl,
            accessTokenUrl: oidc.tokenUrl,
            profileUrl: oidc.userinfoUrl,
            clientId: 'connections',
            clientSecret: CLIENT_SECRET,
            scopes: ['openid', 'email'],
            apiBaseUrls: [oidc.issuer],
          },
        },
        admin,
      ),
    ).createCustomService.slug;
    for (const who of ['creator', 'other'] as const) {
      const { auth, userId } = await addMember(t, `${who}-${db}@example.com`);
      const token = ok(await t.gql('mutation { createApiToken(input: {name: "cli"}) { token } }', {}, auth))
        .createApiToken.token;
      people[who] = { auth, token, userId };
    }
  });
  afterAll(async () => {
    await oidc?.stop();
    await t?.close();
  });

  const as = (who: 'creator' | 'other') => ({ token: people[who].token });
  const listed = async (auth: Auth, scope = 'ALL') =>
    ok(await t.gql(LIST, { s: scope }, auth)).connections.nodes as any[];
  const createAndConnect = async (name: string, extra: Record<string, unknown> = {}) =>
    ok(await t.gql(CREATE_AND_CONNECT, { i: { name, service: slug, ...extra } }, as('creator')))
      .createAndConnect;
  /** Follows an authorize URL to the provider and refuses there, as a user clicking "Deny" would. */
  const deny = async (authorizeUrl: string) => {
    const browser = new Browser();
    const atProvider = await browser.follow(authorizeUrl, (url) => url.startsWith(oidc.authorizeUrl));
    const denyUrl = new URL(atProvider.stoppedAt!);
    denyUrl.searchParams.set('login_hint', 'deny');
    return browser.follow(denyUrl.toString());
  };
  const rowsOf = async (connectionId: string) => ({
    connections: await t.server.ds.getRepository(ConnectionRow).countBy({ id: connectionId }),
    attempts: await t.server.ds.getRepository(AuthorizationAttemptRow).countBy({ connectionId }),
    authorizations: await t.server.ds.getRepository(AuthorizationRow).countBy({ connectionId }),
  });
  /** Past every attempt's expiry and the sweep's grace: what the clock will say once the link is long dead. */
  const later = (from = Date.now()) => new Date(from + ATTEMPT_TTL_MS + SWEEP_GRACE_MS + 1000);

  test('denied: the subscriber hears DENIED; only the creator sees it, not finished; Resume finishes it', async () => {
    const ws = t.ws(as('creator'));
    const started = await createAndConnect('Denied first');
    const { attemptId, authorizeUrl, connection } = started;
    expect(connection).toMatchObject({ finished: false, status: 'PENDING' });
    const attempt = await t.server.ds
      .getRepository(AuthorizationAttemptRow)
      .findOneByOrFail({ id: attemptId });
    expect(new Date(connection.unfinishedExpiresAt).getTime()).toBe(attempt.expiresAt.getTime());
    const log = await subscribeEvents(ws, { attemptId });

    expect((await deny(authorizeUrl)).text).toContain('Access denied');
    expect(await log.waitFor((e) => e.attemptId === attemptId)).toMatchObject({
      type: 'DENIED',
      status: 'DENIED',
      connectionId: connection.id,
    });

    // The creator: in their lists and readable, not finished, with its deadline.
    for (const scope of ['OWN', 'ALL'])
      expect((await listed(as('creator'), scope)).find((c) => c.id === connection.id)).toMatchObject({
        finished: false,
        status: 'DENIED',
        unfinishedExpiresAt: connection.unfinishedExpiresAt,
      });
    // Another member and an admin: not listed, and NOT_FOUND by id or link name.
    for (const viewer of [as('other'), admin]) {
      expect((await listed(viewer)).map((c) => c.id)).not.toContain(connection.id);
      const read = await t.gql(CONNECTION, { id: connection.id }, viewer);
      expect(read.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const byLink = await t.gql(
        'query($l: String) { connection(linkName: $l) { id } }',
        {
          l: connection.linkName,
        },
        viewer,
      );
      expect(byLink.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }

    // A denied first attempt keeps the connection for Resume: a sweep before it would have expired keeps it.
    expect(await t.server.services.attempts.unfinished.sweep(new Date(Date.now() + 60_000))).toBe(0);
    expect((await rowsOf(connection.id)).connections).toBe(1);

    // Resume: a new attempt and URL, a later deadline; this time the user consents.
    const resumed = ok(await t.gql(CONNECT, { id: connection.id }, as('creator'))).connect;
    expect(resumed.attemptId).not.toBe(attemptId);
    expect(resumed.authorizeUrl).not.toBe(authorizeUrl);
    expect(resumed.connection.finished).toBe(false);
    expect(new Date(resumed.connection.unfinishedExpiresAt).getTime()).toBeGreaterThanOrEqual(
      new Date(connection.unfinishedExpiresAt).getTime(),
    );
    const page = await new Browser().follow(resumed.authorizeUrl);
    expect(page.text).toContain('Connected');
    log.stop();
    const done = ok(await t.gql(CONNECTION, { id: connection.id }, as('creator'))).connection;
    expect(done).toMatchObject({ finished: true, unfinishedExpiresAt: null, status: 'CONNECTED' });
    const row = await t.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id: connection.id });
    expect(row.establishedAt).toBeInstanceOf(Date);
    // Finished: an owner-credential connection is listed for every member now, and for admins.
    for (const viewer of [as('other'), admin])
      expect((await listed(viewer)).find((c) => c.id === connection.id)).toMatchObject({ finished: true });
    // And a sweep long after leaves it alone.
    await t.server.services.attempts.unfinished.sweep(later());
    expect((await rowsOf(connection.id)).connections).toBe(1);
    await ws.dispose();
  });

  test('abandoned: removed with its attempts and authorization once its attempt expired; the link name is free', async () => {
    const started = await createAndConnect('Abandoned', { linkName: `abandoned_${db}` });
    const id = started.connection.id;
    expect(await rowsOf(id)).toEqual({ connections: 1, attempts: 1, authorizations: 1 });
    const sweeper = t.server.services.attempts.unfinished;

    // Before the link expires (and within the grace after it), nothing goes.
    expect(await sweeper.sweep(new Date(Date.now() + ATTEMPT_TTL_MS))).toBe(0);
    expect(await rowsOf(id)).toEqual({ connections: 1, attempts: 1, authorizations: 1 });
    // The link was taken: the same link name is refused meanwhile.
    const taken = await t.gql(
      CREATE,
      { i: { name: 'Again', linkName: `abandoned_${db}`, service: slug } },
      admin,
    );
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'linkName' });

    // Replicas sweeping together remove it once.
    const removed =
      db === 'postgres'
        ? (await Promise.all([sweeper.sweep(later()), sweeper.sweep(later())])).reduce((a, b) => a + b)
        : (await sweeper.sweep(later())) + (await sweeper.sweep(later()));
    expect(removed).toBe(1);
    expect(await rowsOf(id)).toEqual({ connections: 0, attempts: 0, authorizations: 0 });
    expect((await t.gql(CONNECTION, { id }, as('creator'))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const audit = ok(
      await t.gql(
        'query($id: ID) { auditEvents(filter: {connectionId: $id}) { nodes { action } } }',
        { id },
        admin,
      ),
    ).auditEvents.nodes.map((n: any) => n.action);
    expect(audit).toEqual(expect.arrayContaining(['connection.created', 'connection.expired']));

    // The link name is released: anyone may take it at once.
    const reused = ok(
      await t.gql(CREATE, { i: { name: 'Again', linkName: `abandoned_${db}`, service: slug } }, admin),
    ).createConnection;
    expect(reused).toMatchObject({ linkName: `abandoned_${db}`, finished: true });
  });

  test('a resumed connection lives as long as its latest attempt; Discard deletes it at once', async () => {
    const sweeper = t.server.services.attempts.unfinished;
    const started = await createAndConnect('Resumed later');
    const id = started.connection.id;
    // The first attempt is long over: a Resume after it expired (before a sweep) still works.
    await t.server.ds
      .getRepository(AuthorizationAttemptRow)
      .update({ id: started.attemptId }, { expiresAt: new Date(Date.now() - ATTEMPT_TTL_MS) });
    const resumed = ok(await t.gql(CONNECT, { id }, as('creator'))).connect;
    expect(new Date(resumed.connection.unfinishedExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(await sweeper.sweep(new Date(Date.now() + SWEEP_GRACE_MS + 1000))).toBe(0);
    expect(await rowsOf(id)).toEqual({ connections: 1, attempts: 2, authorizations: 1 });

    // Discard: the owner deletes it; nothing is left and the link name is free.
    ok(await t.gql('mutation($id: ID!) { deleteConnection(id: $id) }', { id }, as('creator')));
    expect(await rowsOf(id)).toEqual({ connections: 0, attempts: 0, authorizations: 0 });
  });

  // PostgreSQL only: SQLite has one connection and one writer, so a sweep and a Resume cannot overlap there.
  (db === 'postgres' ? test : test.skip)(
    'a Resume committing while a sweep runs keeps its connection; a Resume after a sweep is NOT_FOUND',
    async () => {
      const ds = t.server.ds;
      const sweeper = t.server.services.attempts.unfinished;
      const started = await createAndConnect('Raced');
      const id = started.connection.id;
      const attempt = await ds
        .getRepository(AuthorizationAttemptRow)
        .findOneByOrFail({ id: started.attemptId });
      // A Resume in flight: it holds the connection and writes its new attempt, then waits to commit.
      let commit!: () => void;
      let held = false;
      const resume = ds.transaction(async (m) => {
        await holdForNewAttempt(m, { id, establishedAt: null });
        await m.insert(AuthorizationAttemptRow, {
          ...attempt,
          id: newId(),
          expiresAt: new Date(Date.now() + 2 * (ATTEMPT_TTL_MS + SWEEP_GRACE_MS)),
        });
        held = true;
        await new Promise<void>((resolve) => (commit = resolve));
      });
      await waitFor(() => held);
      // The sweep sees only the expired first attempt, and waits on the connection's row lock.
      const sweeping = sweeper.sweep(later());
      await waitFor(
        async () =>
          Number(
            (
              await ds.query(
                `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE "wait_event_type" = 'Lock' AND "query" LIKE 'UPDATE "connection"%'`,
              )
            )[0].n,
          ) > 0,
        { message: 'the sweep never waited on the row lock' },
      );
      commit();
      await resume;
      expect(await sweeping).toBe(0);
      expect(await rowsOf(id)).toEqual({ connections: 1, attempts: 2, authorizations: 1 });

      // Once every attempt is over it goes; a Resume that read it before then finds it gone.
      expect(await sweeper.sweep(later(Date.now() + 2 * (ATTEMPT_TTL_MS + SWEEP_GRACE_MS)))).toBe(1);
      await expect(
        ds.transaction((m) => holdForNewAttempt(m, { id, establishedAt: null })),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    },
  );

  test('a connection created without a flow, and an established one, are never swept', async () => {
    const plain = ok(
      await t.gql(CREATE, { i: { name: 'Plain', service: slug } }, as('creator')),
    ).createConnection;
    expect(plain.finished).toBe(true);
    const row = await t.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id: plain.id });
    expect(row.establishedAt).toBeInstanceOf(Date);
    // An attempt that was denied on an established connection does not make it removable.
    const again = ok(await t.gql(CONNECT, { id: plain.id }, as('creator'))).connect;
    await deny(again.authorizeUrl);
    await t.server.services.attempts.unfinished.sweep(later());
    expect((await rowsOf(plain.id)).connections).toBe(1);
    expect(ok(await t.gql(CONNECTION, { id: plain.id }, as('other'))).connection.finished).toBe(true);
  });
});

describe('BASIC createAndConnect (sqlite, the sandbox service with a test request)', () => {
  let t: TestServer;
  let admin: Auth;

  beforeAll(async () => {
    t = await startTestServer('sqlite', {
      CONNECTIONS_SANDBOX: 'true',
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    admin = await t.adminAuth();
  });
  afterAll(async () => {
    await t?.close();
  });

  const counts = async () => ({
    connections: await t.server.ds.getRepository(ConnectionRow).count(),
    attempts: await t.server.ds.getRepository(AuthorizationAttemptRow).count(),
    authorizations: await t.server.ds.getRepository(AuthorizationRow).count(),
  });

  test('wrong credentials leave nothing behind; right ones finish the connection in the same transaction', async () => {
    const before = await counts();
    const refused = await t.gql(
      `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { attemptId } }`,
      {
        i: {
          name: 'Sandbox basic',
          linkName: 'sandbox_basic_x',
          service: 'sandbox-basic',
          credentials: { username: 'sandbox', password: 'not-the-password' },
        },
      },
      admin,
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'credentials' });
    expect(await counts()).toEqual(before);

    const accepted = ok(
      await t.gql(
        `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { ${FIELDS} } } }`,
        {
          i: {
            name: 'Sandbox basic',
            linkName: 'sandbox_basic_x',
            service: 'sandbox-basic',
            credentials: { username: 'sandbox', password: 'sandbox-password' },
          },
        },
        admin,
      ),
    ).createAndConnect.connection;
    expect(accepted).toMatchObject({ finished: true, unfinishedExpiresAt: null, status: 'CONNECTED' });
    const row = await t.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id: accepted.id });
    expect(row.establishedAt).toBeInstanceOf(Date);
  });
  test('a reused link name reaches the new connection at once, even where the old one was resolved before', async () => {
    const invoke = () =>
      t.gql(
        'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }',
        { i: { connection: 'reused_link', url: 'me' } },
        admin,
      );
    const first = ok(
      await t.gql(
        `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id finished } } }`,
        { i: { name: 'Sandbox OAuth', linkName: 'reused_link', service: 'sandbox-oauth2' } },
        admin,
      ),
    ).createAndConnect.connection;
    expect(first.finished).toBe(false);
    // Its creator calls it before it is finished: resolved (and remembered) by link name, not authorized.
    expect((await invoke()).errors?.[0]?.extensions?.code).toBe('NEEDS_AUTHORIZATION');
    const later = new Date(Date.now() + ATTEMPT_TTL_MS + SWEEP_GRACE_MS + 1000);
    expect(await t.server.services.attempts.unfinished.sweep(later)).toBe(1);

    ok(
      await t.gql(
        `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id } } }`,
        {
          i: {
            name: 'Sandbox key',
            linkName: 'reused_link',
            service: 'sandbox-api-key',
            credentials: { apiKey: 'sandbox-api-key' },
          },
        },
        admin,
      ),
    );
    expect(ok(await invoke()).invokeUrl.status).toBe(200);
  });
});
