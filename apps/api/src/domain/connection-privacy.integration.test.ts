import { subscribeEvents } from '../test-support/events';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';

jest.setTimeout(60_000);

// Issue 12: what a member may see and do with connections others use. Item 12: a non-admin sees only
// events where they are the actor or the principal (an owner sees the connection's lifecycle, not other
// principals' calls or authorizations). Item 13: deleting a connection that holds other users'
// authorizations needs an admin. Item 22: only admins attach a connection to an extension.

const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) {
  createAndConnect(input: $i) { connection { id linkName } } }`;
const CONNECT = `mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) { attemptId } }`;
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }';
const AUDIT = `query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) {
  nodes { action connectionId targetId metadata actor { email } } } }`;
const DELETE = 'mutation($id: ID!) { deleteConnection(id: $id) }';

type Event = {
  action: string;
  connectionId: string | null;
  targetId: string | null;
  metadata: any;
  actor: { email: string } | null;
};

describe.each(databases())('connection privacy between members (%s)', (db) => {
  let t: TestServer;
  let up: Upstream;
  let admin: Auth;
  let slug: string;
  const m: Record<'m1' | 'm2', { auth: Auth; userId: string; email: string }> = {} as never;

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const create = async (auth: Auth, name: string, useLoginUserCredentials: boolean, apiKey = `${name}-key`) =>
    ok(
      await t.gql(
        CREATE_AND_CONNECT,
        { i: { name, service: slug, useLoginUserCredentials, credentials: { apiKey } } },
        auth,
      ),
    ).createAndConnect.connection as { id: string; linkName: string };
  const connect = async (auth: Auth, id: string, apiKey: string) =>
    ok(await t.gql(CONNECT, { id, c: { apiKey } }, auth));
  const invoke = async (auth: Auth, connection: string) =>
    ok(await t.gql(INVOKE, { i: { connection, url: 'ping' } }, auth));
  const audit = async (auth: Auth, f: Record<string, unknown> = {}) =>
    ok(await t.gql(AUDIT, { f }, auth)).auditEvents.nodes as Event[];
  const principalOf = (e: Event) => e.metadata?.principalId;

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    up = await startUpstream((_req, res) => void res.end('pong'));
    admin = await t.adminAuth();
    slug = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Team API',
            authType: 'API_KEY',
            paramType: 'HEADERS',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${up.url}/`],
          },
        },
        admin,
      ),
    ).createCustomService.slug;
    for (const k of ['m1', 'm2'] as const) {
      const email = `privacy-${k}@example.com`;
      m[k] = { ...(await addMember(t, email)), email };
    }
  });
  afterAll(async () => {
    await up?.close();
    await t?.close();
  });

  test("the owner of a login-user connection reads its lifecycle and their own events, not another user's", async () => {
    const c = await create(m.m1.auth, 'Shared audit', true);
    await connect(m.m2.auth, c.id, 'm2-key');
    await invoke(m.m2.auth, c.linkName);
    await invoke(m.m1.auth, c.linkName);

    const everything = await audit(admin, { connectionId: c.id });
    expect(everything.map((e) => e.action).sort()).toEqual(
      [
        'authorization.AUTHORIZED',
        'authorization.AUTHORIZED',
        'connection.created',
        'connection.invoked',
        'connection.invoked',
      ].sort(),
    );

    for (const filter of [{ connectionId: c.id }, {}]) {
      const owner = (await audit(m.m1.auth, filter)).filter((e) => e.connectionId === c.id);
      expect(owner.map((e) => e.action).sort()).toEqual(
        ['authorization.AUTHORIZED', 'connection.created', 'connection.invoked'].sort(),
      );
      expect(owner.some((e) => e.actor?.email === m.m2.email || e.targetId === m.m2.userId)).toBe(false);
      expect(owner.some((e) => principalOf(e) === m.m2.userId)).toBe(false);

      const other = (await audit(m.m2.auth, filter)).filter((e) => e.connectionId === c.id);
      expect(other.map((e) => e.action).sort()).toEqual(
        ['authorization.AUTHORIZED', 'connection.invoked'].sort(),
      );
      expect(other.every((e) => e.actor?.email === m.m2.email)).toBe(true);
    }
  });

  test("calls through an owner-credential connection use the owner's credentials: the owner reads them", async () => {
    const c = await create(m.m1.auth, 'Owner creds', false);
    await invoke(admin, c.linkName); // an admin's call, made with m1's credentials
    const owner = await audit(m.m1.auth, { connectionId: c.id, action: 'connection.invoked' });
    expect(owner).toHaveLength(1);
    expect(owner[0]).toMatchObject({ actor: { email: 'admin@example.com' } });
    expect(principalOf(owner[0]!)).toBe(m.m1.userId);
  });

  test("a subscribed owner does not receive another principal's authorization events", async () => {
    const c = await create(m.m1.auth, 'Shared events', true);
    const tokenOf = async (auth: Auth) =>
      ok(await t.gql('mutation { createApiToken(input: {name: "ws"}) { token } }', {}, auth)).createApiToken
        .token as string;
    const ownerWs = t.ws({ token: await tokenOf(m.m1.auth) });
    const adminWs = t.ws({ token: await tokenOf(admin) });
    try {
      const ownerLog = await subscribeEvents(ownerWs, { connectionId: c.id });
      const adminLog = await subscribeEvents(adminWs, { connectionId: c.id });
      await connect(m.m2.auth, c.id, 'm2-key'); // m2's AUTHORIZED: not the owner's business
      await adminLog.waitFor((e) => e.principal.id === m.m2.userId && e.type === 'AUTHORIZED');
      await connect(m.m1.auth, c.id, 'm1-key-2'); // the owner's own REAUTHORIZED, published after m2's
      await ownerLog.waitFor((e) => e.principal.id === m.m1.userId && e.type === 'REAUTHORIZED');
      expect(ownerLog.events.filter((e) => e.principal.id !== m.m1.userId)).toEqual([]);

      // An admin deleting it: the owner hears the connection's end (the DELETED event naming them), and
      // nothing about m2's authorization going with it.
      ok(await t.gql(DELETE, { id: c.id }, admin));
      await adminLog.waitFor((e) => e.type === 'DELETED' && e.principal.id === m.m2.userId);
      await ownerLog.waitFor((e) => e.type === 'DELETED' && e.principal.id === m.m1.userId);
      expect(ownerLog.events.filter((e) => e.principal.id !== m.m1.userId)).toEqual([]);
      ownerLog.stop();
      adminLog.stop();
    } finally {
      await ownerWs.dispose();
      await adminWs.dispose();
    }
    // ... and reads it in the audit log (the DELETED event naming them), m2's not.
    const owner = (await audit(m.m1.auth, { action: 'authorization.DELETED' })).filter(
      (e) => e.connectionId === c.id,
    );
    expect(owner.map((e) => [e.targetId, e.actor?.email])).toEqual([[m.m1.userId, 'admin@example.com']]);
  });

  test("deleting a connection that holds other users' authorizations needs an admin", async () => {
    const c = await create(m.m1.auth, 'Shared delete', true);
    await connect(m.m2.auth, c.id, 'm2-key');
    const refused = await t.gql(DELETE, { id: c.id }, m.m1.auth);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toContain('only an admin');
    // Nothing happened: m2's authorization still works.
    expect(await invoke(m.m2.auth, c.linkName)).toEqual({ invokeUrl: { status: 200 } });

    // Once m2 has revoked their own, the owner may delete what only they hold.
    ok(
      await t.gql(
        'mutation($id: ID!) { revokeAuthorization(connectionId: $id) { id } }',
        { id: c.id },
        m.m2.auth,
      ),
    );
    expect(ok(await t.gql(DELETE, { id: c.id }, m.m1.auth)).deleteConnection).toBe(c.id);

    // An owner deletes their own connections freely; an admin deletes shared ones.
    const solo = await create(m.m1.auth, 'Solo', true);
    expect(ok(await t.gql(DELETE, { id: solo.id }, m.m1.auth)).deleteConnection).toBe(solo.id);
    const shared = await create(m.m1.auth, 'Shared admin', true);
    await connect(m.m2.auth, shared.id, 'm2-key');
    expect(ok(await t.gql(DELETE, { id: shared.id }, admin)).deleteConnection).toBe(shared.id);
  });

  test('only an admin attaches a connection to an extension', async () => {
    const ext = ok(
      await t.gql(
        'mutation($i: CreateExtensionInput!) { createExtension(input: $i) { id } }',
        { i: { name: 'Tooling', connections: [{ name: 'Tool', linkName: 'tool_def', service: slug }] } },
        admin,
      ),
    ).createExtension.id as string;
    const CREATE = `mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id linkName } }`;
    const refused = await t.gql(
      CREATE,
      { i: { name: 'Sneaky', linkName: 'sneaky', service: slug, extensionId: ext } },
      m.m1.auth,
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'extensionId' });
    const listed = ok(await t.gql('{ connections(first: 100) { nodes { linkName } } }', {}, admin));
    expect(listed.connections.nodes.map((n: { linkName: string }) => n.linkName)).not.toContain('sneaky');

    const allowed = await t.gql(CREATE, { i: { name: 'Attached', service: slug, extensionId: ext } }, admin);
    expect(allowed.errors).toBeUndefined();
  });
});
