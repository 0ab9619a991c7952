import { type EventLog, subscribeEvents } from '../test-support/events';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';

jest.setTimeout(90_000);

// Issue 13, "Owner-credential connections are for everyone to use": every member sees an owner-credential
// connection and calls it with the owner's authorization (invokeUrl and /proxy); only the owner and admins
// authorize, revoke, edit or delete it; a restriction to named members is enforced on every path (list, read,
// invoke, /proxy, events, connect and revoke), for a named member and an admin allowed.

const VIEW = `id linkName name relation status scopes
  viewerCan { use connect manage } restriction { members { id email } } owner { id }
  authorization { status principal { id } }`;
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { ${VIEW} } } }`;
const CONNECT = `mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) { attemptId } }`;
const REVOKE = 'mutation($id: ID!) { revokeAuthorization(connectionId: $id) { id } }';
const DELETE = 'mutation($id: ID!) { deleteConnection(id: $id) }';
const UPDATE = `mutation($i: UpdateConnectionInput!) { updateConnection(input: $i) { ${VIEW} } }`;
const BY_ID = `query($id: ID) { connection(id: $id) { ${VIEW} } }`;
const BY_LINK = `query($l: String) { connection(linkName: $l) { ${VIEW} } }`;
const LIST = `query($f: ConnectionFilter) { connections(filter: $f, first: 100) { totalCount nodes { ${VIEW} } } }`;
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';
const EVENTS_PAGE = `query($f: AuthorizationEventFilter) { authorizationEventsPage(filter: $f, first: 100) {
  nodes { type connectionId principal { id } } } }`;

type Who = 'admin' | 'owner' | 'named' | 'other';

describe.each(databases())('owner-credential connections for everyone, and restrictions (%s)', (db) => {
  let t: TestServer;
  let up: Upstream;
  let slug: string;
  const auth = {} as Record<Who, Auth>;
  const token = {} as Record<Who, string>;
  const id = {} as Record<Who, string>;

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  /** An owner-credential BASIC connection of `who`, authorized with `user`/`password`. */
  const create = async (who: Who, name: string, extra: Record<string, unknown> = {}, password = 'pw') =>
    ok(
      await t.gql(
        CREATE_AND_CONNECT,
        { i: { name, service: slug, credentials: { username: `${who}-user`, password }, ...extra } },
        auth[who],
      ),
    ).createAndConnect.connection;
  const invoke = (who: Who, linkName: string) =>
    t.gql(INVOKE, { i: { connection: linkName, url: 'echo' } }, auth[who]);
  const proxy = (who: Who, linkName: string) =>
    fetch(`${t.url}/proxy/${linkName}/echo`, { headers: { authorization: `Bearer ${token[who]}` } });
  const listed = async (who: Who, filter: Record<string, unknown> = {}) =>
    ok(await t.gql(LIST, { f: filter }, auth[who])).connections.nodes as Record<string, any>[];
  const eventsPage = async (who: Who, filter: Record<string, unknown> = {}) =>
    t.gql(EVENTS_PAGE, { f: filter }, auth[who]);

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    // Echoes the Authorization header it was sent: whose credentials a call carried.
    up = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
    });
    auth.admin = await t.adminAuth();
    slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        { i: { name: 'Echo', authType: 'BASIC', paramType: 'HEADERS', apiBaseUrls: [`${up.url}/`] } },
        auth.admin,
      ),
    ).createCustomService.slug;
    for (const who of ['owner', 'named', 'other'] as const) {
      const m = await addMember(t, `sharing-${who}@example.com`);
      auth[who] = m.auth;
      id[who] = m.userId;
    }
    id.admin = ok(await t.gql('{ viewer { user { id } } }', {}, auth.admin)).viewer.user.id;
    for (const who of ['admin', 'owner', 'named', 'other'] as const)
      token[who] = ok(
        await t.gql('mutation { createApiToken(input: {name: "t"}) { token } }', {}, auth[who]),
      ).createApiToken.token;
  });
  afterAll(async () => {
    await up?.close();
    await t?.close();
  });

  test("a member calls another member's owner-credential connection with the owner's authorization", async () => {
    const c = await create('owner', 'Team echo', {}, 'owner-password');
    const seen = ok(await t.gql(BY_LINK, { l: c.linkName }, auth.named)).connection;
    expect(seen).toMatchObject({
      id: c.id,
      relation: 'OWNER_CREDENTIALS',
      status: 'CONNECTED',
      restriction: null,
      viewerCan: { use: true, connect: false, manage: false },
      authorization: { status: 'CONNECTED', principal: { id: id.owner } },
    });
    expect(ok(await t.gql(BY_ID, { id: c.id }, auth.owner)).connection.relation).toBe('OWN');

    const owners = basic('owner-user', 'owner-password');
    const call = await invoke('named', c.linkName);
    expect(ok(call).invokeUrl.status).toBe(200);
    expect(JSON.parse(ok(call).invokeUrl.body)).toEqual({ authorization: owners });
    const viaProxy = await proxy('other', c.linkName);
    expect(viaProxy.status).toBe(200);
    expect(await viaProxy.json()).toEqual({ authorization: owners });

    // Using is not managing: the owner's credentials are the owner's (and admins') to change.
    for (const [q, vars] of [
      [CONNECT, { id: c.id, c: { username: 'mine', password: 'mine' } }],
      [REVOKE, { id: c.id }],
      [DELETE, { id: c.id }],
      [UPDATE, { i: { id: c.id, name: 'Taken over' } }],
    ] as const)
      expect([q, codeOf(await t.gql(q, vars, auth.named))]).toEqual([q, 'FORBIDDEN']);
    // Still the owner's, and still working.
    expect(JSON.parse(ok(await invoke('other', c.linkName)).invokeUrl.body)).toEqual({
      authorization: owners,
    });
  });

  test('a restricted connection is refused on every path to a member not named, allowed to a named one and admins', async () => {
    const c = await create('owner', 'Restricted echo', { access: { restricted: true, members: [id.named] } });
    expect(c.restriction).toEqual({ members: [{ id: id.named, email: 'sharing-named@example.com' }] });
    const owners = basic('owner-user', 'pw');

    // Refused: every path answers as if it did not exist.
    expect((await listed('other')).map((n) => n.id)).not.toContain(c.id);
    expect((await listed('other', { scope: 'SHARED' })).map((n) => n.id)).not.toContain(c.id);
    for (const [q, vars] of [
      [BY_ID, { id: c.id }],
      [BY_LINK, { l: c.linkName }],
      [INVOKE, { i: { connection: c.linkName, url: 'echo' } }],
      [CONNECT, { id: c.id, c: { username: 'x', password: 'y' } }],
      [REVOKE, { id: c.id }],
      [UPDATE, { i: { id: c.id, name: 'Mine now' } }],
      [DELETE, { id: c.id }],
      [EVENTS_PAGE, { f: { connectionId: c.id } }],
    ] as const)
      expect([q, codeOf(await t.gql(q, vars, auth.other))]).toEqual([q, 'NOT_FOUND']);
    const refused = await proxy('other', c.linkName);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const unfiltered = ok(await eventsPage('other')).authorizationEventsPage.nodes;
    expect(unfiltered.filter((e: { connectionId: string }) => e.connectionId === c.id)).toEqual([]);
    const ws = t.ws({ token: token.other });
    try {
      const sub = await new Promise<unknown>((resolve) => {
        ws.subscribe(
          {
            query: 'subscription($id: ID) { authorizationEvents(connectionId: $id) { id } }',
            variables: { id: c.id },
          },
          { next: (v) => resolve(v.errors?.[0]?.extensions?.code), error: resolve, complete: () => {} },
        );
      });
      expect(sub).toBe('NOT_FOUND');
    } finally {
      await ws.dispose();
    }

    // Allowed: the named member and an admin, everywhere.
    for (const who of ['named', 'admin'] as const) {
      expect((await listed(who)).find((n) => n.id === c.id)).toMatchObject({
        relation: 'OWNER_CREDENTIALS',
        restriction: { members: [{ id: id.named, email: 'sharing-named@example.com' }] },
      });
      expect((await listed(who, { scope: 'SHARED' })).map((n) => n.id)).toContain(c.id);
      expect(ok(await t.gql(BY_ID, { id: c.id }, auth[who])).connection).toMatchObject({
        relation: 'OWNER_CREDENTIALS',
        restriction: { members: [{ id: id.named }] },
      });
      expect(JSON.parse(ok(await invoke(who, c.linkName)).invokeUrl.body)).toEqual({ authorization: owners });
      const res = await proxy(who, c.linkName);
      expect([who, res.status]).toEqual([who, 200]);
      const events = ok(await eventsPage(who, { connectionId: c.id })).authorizationEventsPage.nodes;
      expect(events).toContainEqual({ type: 'AUTHORIZED', connectionId: c.id, principal: { id: id.owner } });
    }
  });

  test("events follow the connection's current restriction, replayed ones included", async () => {
    const c = await create('owner', 'Watched echo');
    const beacon = await create('owner', 'Beacon echo');
    const reconnect = (connectionId: string) =>
      t.gql(CONNECT, { id: connectionId, c: { username: 'owner-user', password: 'pw' } }, auth.owner);
    const clients = { named: t.ws({ token: token.named }), other: t.ws({ token: token.other }) };
    try {
      const logs: Record<'named' | 'other', EventLog> = {
        named: await subscribeEvents(clients.named),
        other: await subscribeEvents(clients.other),
      };
      // Unrestricted: every member may use it, so every member hears of the owner's authorization.
      ok(await reconnect(c.id));
      for (const log of Object.values(logs))
        await log.waitFor((e) => e.connectionId === c.id && e.type === 'REAUTHORIZED');

      ok(
        await t.gql(
          UPDATE,
          { i: { id: c.id, access: { restricted: true, members: [id.named] } } },
          auth.owner,
        ),
      );
      ok(await reconnect(c.id));
      ok(await reconnect(beacon.id)); // published after the second one: once it arrives, that one would have
      await logs.named.waitFor((e) => e.connectionId === beacon.id);
      await logs.other.waitFor((e) => e.connectionId === beacon.id);
      const of = (log: EventLog) => log.events.filter((e) => e.connectionId === c.id).length;
      expect({ named: of(logs.named), other: of(logs.other) }).toEqual({ named: 2, other: 1 });
      logs.named.stop();
      logs.other.stop();
    } finally {
      await clients.named.dispose();
      await clients.other.dispose();
    }
    // The page replays the log through the same rule, on the connection as it is now.
    const page = async (who: Who) =>
      ok(await eventsPage(who)).authorizationEventsPage.nodes.filter(
        (e: { connectionId: string }) => e.connectionId === c.id,
      ).length;
    expect({ named: await page('named'), other: await page('other'), admin: await page('admin') }).toEqual({
      named: 3,
      other: 0,
      admin: 3,
    });
  });

  test('a login-user connection restricted to named members: only they (and admins) may connect and use it', async () => {
    const c = ok(
      await t.gql(
        CREATE_AND_CONNECT,
        {
          i: {
            name: 'Own keys',
            service: slug,
            useLoginUserCredentials: true,
            credentials: { username: 'owner-user', password: 'pw' },
            access: { restricted: true, members: [id.named] },
          },
        },
        auth.owner,
      ),
    ).createAndConnect.connection;
    expect(codeOf(await t.gql(CONNECT, { id: c.id, c: { username: 'o', password: 'p' } }, auth.other))).toBe(
      'NOT_FOUND',
    );
    expect(ok(await t.gql(BY_ID, { id: c.id }, auth.named)).connection).toMatchObject({
      relation: 'AVAILABLE',
      viewerCan: { use: true, connect: true, manage: false },
    });
    ok(await t.gql(CONNECT, { id: c.id, c: { username: 'named-user', password: 'n' } }, auth.named));
    expect(ok(await t.gql(BY_ID, { id: c.id }, auth.named)).connection.relation).toBe('SHARED');
    expect(JSON.parse(ok(await invoke('named', c.linkName)).invokeUrl.body)).toEqual({
      authorization: basic('named-user', 'n'),
    });
  });
});
