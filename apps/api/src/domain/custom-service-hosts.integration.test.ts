import { AuthorizationRow } from '../db/entities';
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

// Issue 12, item 18: an admin moving a custom service's host-bearing fields would send every member's stored
// credentials to the new host on the next call. Asked for explicitly (confirmReauthorization), and the
// authorizations move to NEEDS_REAUTH with their credentials gone, so the new host never receives them.

const SERVICE = 'id slug apiBaseUrls revokeUrl';
const UPDATE = `mutation($i: UpdateServiceInput!) { updateService(input: $i) { ${SERVICE} } }`;
const API_KEY = 'hosts-key-31c9d0';

describe.each(databases())('custom services: moving hosts with authorizations (%s)', (db) => {
  let t: TestServer;
  let oldHost: Upstream;
  let newHost: Upstream;
  let admin: Auth;
  let member: { auth: Auth; userId: string };

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const service = async (name: string, apiBaseUrls: string[]) =>
    ok(
      await t.gql(
        `mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { ${SERVICE} } }`,
        { i: { name, authType: 'API_KEY', paramType: 'HEADERS', apiKeyParamName: 'X-Key', apiBaseUrls } },
        admin,
      ),
    ).createCustomService as { id: string; slug: string };
  const connected = async (slug: string, name: string) =>
    ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id linkName } } }',
        { i: { name, service: slug, useLoginUserCredentials: true, credentials: { apiKey: API_KEY } } },
        member.auth,
      ),
    ).createAndConnect.connection as { id: string; linkName: string };
  const statusOf = async (id: string) =>
    ok(await t.gql('query($id: ID) { connection(id: $id) { status } }', { id }, member.auth)).connection
      .status as string;
  const invoke = (connection: string) =>
    t.gql(
      'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }',
      { i: { connection, url: 'me' } },
      member.auth,
    );

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    oldHost = await startUpstream((_req, res) => void res.end('old'));
    newHost = await startUpstream((_req, res) => void res.end('new'));
    admin = await t.adminAuth();
    member = await addMember(t, 'hosts-member@example.com');
  });
  afterAll(async () => {
    await oldHost?.close();
    await newHost?.close();
    await t?.close();
  });

  test('a new host is refused without confirmation; with it, the authorizations must be reconnected', async () => {
    const s = await service('Moving', [`${oldHost.url}/api/`]);
    const c = await connected(s.slug, 'Moving');
    expect((await invoke(c.linkName)).errors).toBeUndefined();
    expect(oldHost.seen.at(-1)!.headers['x-key']).toBe(API_KEY);

    const refused = await t.gql(UPDATE, { i: { id: s.id, apiBaseUrls: [`${newHost.url}/api/`] } }, admin);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      field: 'confirmReauthorization',
      fields: ['apiBaseUrls'],
      authorizations: 1,
    });
    // Nothing changed: the service still points at the old host, the authorization still works there.
    const unchanged = ok(
      await t.gql('query($id: ID) { service(id: $id) { apiBaseUrls } }', { id: s.id }, admin),
    );
    expect(unchanged.service.apiBaseUrls).toEqual([`${oldHost.url}/api/`]);
    expect(await statusOf(c.id)).toBe('CONNECTED');

    const moved = ok(
      await t.gql(
        UPDATE,
        { i: { id: s.id, apiBaseUrls: [`${newHost.url}/api/`], confirmReauthorization: true } },
        admin,
      ),
    );
    expect(moved.updateService.apiBaseUrls).toEqual([`${newHost.url}/api/`]);
    expect(await statusOf(c.id)).toBe('NEEDS_REAUTH');
    const row = await t.server.ds.getRepository(AuthorizationRow).findOneByOrFail({ connectionId: c.id });
    expect(row.credentialsEncrypted).toBeNull();

    // The next call does not carry the old key to the new host: it asks for a reconnect.
    const call = await invoke(c.linkName);
    expect(call.errors?.[0]?.extensions).toMatchObject({
      code: 'NEEDS_AUTHORIZATION',
      status: 'NEEDS_REAUTH',
    });
    expect(newHost.accepted()).toBe(0);

    // The move is an authorization event, by the admin, heard by the principal.
    const events = ok(
      await t.gql(
        'query($f: AuditEventFilter) { auditEvents(filter: $f, first: 10) { nodes { action targetId actor { email } message } } }',
        { f: { connectionId: c.id, action: 'authorization.NEEDS_REAUTH' } },
        member.auth,
      ),
    ).auditEvents.nodes;
    expect(events).toEqual([
      expect.objectContaining({ targetId: member.userId, actor: { email: 'admin@example.com' } }),
    ]);
    expect(events[0].message).toContain('apiBaseUrls');

    // Reconnecting against the new host works.
    ok(
      await t.gql(
        'mutation($id: ID!) { connect(connectionId: $id, credentials: {apiKey: "new-key"}) { attemptId } }',
        { id: c.id },
        member.auth,
      ),
    );
    expect((await invoke(c.linkName)).errors).toBeUndefined();
    expect(newHost.seen.at(-1)!.headers['x-key']).toBe('new-key');
  });

  test('the revoke URL is host-bearing too; a path on the same origin, or a service nobody authorized, is not', async () => {
    const s = await service('Stays', [`${oldHost.url}/api/`]);
    const c = await connected(s.slug, 'Stays');
    // Same origin, another path: the same host already receives the credentials.
    ok(await t.gql(UPDATE, { i: { id: s.id, apiBaseUrls: [`${oldHost.url}/v2/`] } }, admin));
    // Adding a revoke URL on a new host sends every stored credential there when a connection is deleted.
    const revoke = await t.gql(UPDATE, { i: { id: s.id, revokeUrl: `${newHost.url}/revoke` } }, admin);
    expect(revoke.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      fields: ['revokeUrl'],
    });
    expect(await statusOf(c.id)).toBe('CONNECTED');

    const unused = await service('Unused', [`${oldHost.url}/`]);
    const free = ok(await t.gql(UPDATE, { i: { id: unused.id, apiBaseUrls: [`${newHost.url}/`] } }, admin));
    expect(free.updateService.apiBaseUrls).toEqual([`${newHost.url}/`]);
  });
});

// Issue 12, item 19: in production a custom service's endpoints are https, except a loopback host when the
// deployment allows private networks. Development and test keep http (the suites above use it).
describe.each(databases())('custom services in production: https only (%s)', (db) => {
  const create = (t: TestServer, auth: Auth, apiBaseUrls: string[], extra: Record<string, string> = {}) =>
    t.gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
      {
        i: {
          name: `S ${Math.random()}`,
          authType: 'API_KEY',
          paramType: 'HEADERS',
          apiKeyParamName: 'K',
          apiBaseUrls,
          ...extra,
        },
      },
      auth,
    );
  const problem = (r: GqlResult) =>
    r.errors?.[0]?.extensions && {
      code: r.errors[0]!.extensions.code,
      field: r.errors[0]!.extensions.field,
    };

  test('plain http is refused, naming the field; https is fine', async () => {
    const t = await startTestServer(db, { NODE_ENV: 'production' });
    try {
      const admin = await t.adminAuth();
      expect(problem(await create(t, admin, ['http://api.example.com/']))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'apiBaseUrls[0]',
      });
      expect(problem(await create(t, admin, ['https://api.example.com/', 'http://127.0.0.1:9/']))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'apiBaseUrls[1]',
      });
      expect(
        problem(
          await create(t, admin, ['https://api.example.com/'], {
            revokeUrl: 'http://api.example.com/revoke',
          }),
        ),
      ).toEqual({ code: 'BAD_USER_INPUT', field: 'revokeUrl' });
      expect((await create(t, admin, ['https://api.example.com/'])).errors).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  test('with private networks allowed, http to a loopback host only', async () => {
    const t = await startTestServer(db, {
      NODE_ENV: 'production',
      CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    try {
      const admin = await t.adminAuth();
      for (const ok of ['http://127.0.0.1:8080/', 'http://localhost:8080/api/', 'http://[::1]:8080/'])
        expect({ ok, errors: (await create(t, admin, [ok])).errors }).toEqual({ ok, errors: undefined });
      for (const bad of ['http://10.0.0.5/', 'http://api.example.com/', 'http://localhost.example.com/'])
        expect({ bad, problem: problem(await create(t, admin, [bad])) }).toEqual({
          bad,
          problem: { code: 'BAD_USER_INPUT', field: 'apiBaseUrls[0]' },
        });
    } finally {
      await t.close();
    }
  });
});
