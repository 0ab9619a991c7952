import { catalog } from '@connections/auth-flows';
import { randomUUID } from 'node:crypto';
import { AuthorizationRow, ConnectionRow, ServiceRow } from '../db/entities';
import type { AuthorizationStatus } from '../db/entities/authorization';
import { newId } from '../db/entities/base';
import {
  ADMIN_EMAIL,
  addMember,
  type Auth,
  databases,
  type GqlResult,
  seedWorkspaceWithUser,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(60_000);

const CONNECTION = `id name linkName scopes useLoginUserCredentials status
  service { id slug name } owner { id email } authorization { id status grantedScopes principal { id email } }`;
const CREATE = `mutation($i: CreateConnectionInput!) { createConnection(input: $i) { ${CONNECTION} } }`;
const DELETE = 'mutation($id: ID!) { deleteConnection(id: $id) }';
const BY_ID = `query($id: ID) { connection(id: $id) { ${CONNECTION} } }`;
const BY_LINK = `query($l: String) { connection(linkName: $l) { ${CONNECTION} } }`;
const LIST = `query($f: ConnectionFilter, $first: Int, $after: String) {
  connections(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${CONNECTION} } }
}`;

type Conn = Record<string, any>;

function errorOf(r: GqlResult) {
  expect(r.errors).toHaveLength(1);
  return r.errors![0]!;
}

/** Helpers bound to one test server. */
function helpers(t: TestServer) {
  const viewer = async (auth: Auth): Promise<{ userId: string; workspaceId: string; email: string }> => {
    const r = await t.gql('{ viewer { user { id email } workspace { id } } }', {}, auth);
    return {
      userId: r.data!.viewer.user.id,
      workspaceId: r.data!.viewer.workspace.id,
      email: r.data!.viewer.user.email,
    };
  };
  const create = async (auth: Auth, input: Record<string, unknown>): Promise<Conn> => {
    const r = await t.gql(CREATE, { i: input }, auth);
    if (r.errors) throw new Error(`createConnection failed: ${r.raw}`);
    return r.data!.createConnection;
  };
  /** All connections of a filter, every page. */
  const list = async (auth: Auth, filter: Record<string, unknown> = {}): Promise<Conn[]> => {
    const nodes: Conn[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r: GqlResult = await t.gql(LIST, { f: filter, first: 100, after }, auth);
      if (r.errors) throw new Error(`connections failed: ${r.raw}`);
      nodes.push(...r.data!.connections.nodes);
      if (!r.data!.connections.pageInfo.hasNextPage) {
        expect(r.data!.connections.totalCount).toBe(nodes.length);
        return nodes;
      }
      after = r.data!.connections.pageInfo.endCursor;
    }
    throw new Error('too many pages');
  };
  const linkNames = async (auth: Auth, filter: Record<string, unknown> = {}) =>
    (await list(auth, filter)).map((c) => c.linkName).sort();
  /** Simulates a finished authorization, as the connect flow would store it. */
  const authorize = async (
    connectionId: string,
    principalId: string,
    status: AuthorizationStatus = 'CONNECTED',
  ) => {
    const connection = await t.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id: connectionId });
    await t.server.ds.getRepository(AuthorizationRow).save({
      id: newId(),
      workspaceId: connection.workspaceId,
      connectionId,
      principalId,
      status,
      grantedScopes: [],
    });
  };
  const count = async (table: string, where = '') =>
    Number((await t.server.ds.query(`SELECT COUNT(*) AS n FROM "${table}" ${where}`))[0].n);
  return { viewer, create, list, linkNames, authorize, count };
}

describe.each(databases())('connections API (%s)', (db) => {
  describe('createConnection', () => {
    let t: TestServer;
    let admin: Auth;
    let h: ReturnType<typeof helpers>;
    beforeAll(async () => {
      t = await startTestServer(db);
      admin = await t.adminAuth();
      h = helpers(t);
    });
    afterAll(async () => {
      await t?.close();
    });

    test('derives link names, takes the next free one, and defaults the scopes', async () => {
      const github = catalog.find((e) => e.slug === 'github')!;
      const first = await h.create(admin, { name: 'My GitHub!', service: 'github' });
      expect(first).toMatchObject({
        name: 'My GitHub!',
        linkName: 'my_github',
        scopes: [...github.defaultScopes],
        useLoginUserCredentials: false,
        status: 'NOT_CONNECTED',
        authorization: null,
        service: { id: 'default:github', slug: 'github', name: github.displayName },
        owner: { email: ADMIN_EMAIL },
      });
      expect(github.defaultScopes.length).toBeGreaterThan(0);
      const second = await h.create(admin, { name: 'My GitHub!', service: 'default:github' });
      expect(second.linkName).toBe('my_github_2');
      const third = await h.create(admin, { name: 'my github', service: 'github' });
      expect(third.linkName).toBe('my_github_3');

      // A long name is cut to 50 and still gets a free, valid link name.
      const long = 'L'.repeat(50);
      const a = await h.create(admin, { name: long, service: 'github' });
      const b = await h.create(admin, { name: long, service: 'github' });
      expect(a.linkName).toBe('l'.repeat(50));
      expect(b.linkName).toMatch(/^l+_2$/);
      expect(b.linkName).toHaveLength(50);

      // Explicit scopes replace the defaults.
      const scoped = await h.create(admin, {
        name: 'Scoped',
        service: 'github',
        scopes: ['repo', 'read:org'],
      });
      expect(scoped.scopes).toEqual(['repo', 'read:org']);
    });

    test('an explicit duplicate link name is a CONFLICT on linkName and creates nothing', async () => {
      await h.create(admin, { name: 'Original', linkName: 'taken_name', service: 'github' });
      const before = await h.count('connection');
      const r = await t.gql(
        CREATE,
        { i: { name: 'Copy', linkName: 'taken_name', service: 'github' } },
        admin,
      );
      expect(r.data).toBeNull();
      expect(errorOf(r).extensions).toMatchObject({ code: 'CONFLICT', field: 'linkName' });
      expect(await h.count('connection')).toBe(before);
      expect((await t.gql(BY_LINK, { l: 'taken_name' }, admin)).data!.connection.name).toBe('Original');
    });

    test.each([
      ['Has-Dash', 'linkName', { linkName: 'Has-Dash' }],
      ['UPPER', 'linkName', { linkName: 'UPPER' }],
      ['51 characters', 'linkName', { linkName: 'a'.repeat(51) }],
      ['empty', 'linkName', { linkName: '' }],
      ['with a space', 'linkName', { linkName: 'with space' }],
      ['accented', 'linkName', { linkName: 'café' }],
      ['a 51-character name', 'name', { name: 'n'.repeat(51) }],
      ['an empty name', 'name', { name: '' }],
      ['a blank name', 'name', { name: '   ' }],
      ['a scope with white space', 'scopes', { scopes: ['repo', 'read user'] }],
      ['an empty scope', 'scopes', { scopes: [''] }],
      ['a subdomain on a service without one', 'subdomain', { subdomain: 'acme' }],
      ['a subdomain that is not a DNS label', 'subdomain', { subdomain: 'a.b' }],
    ])('a link name / input %s is refused with BAD_USER_INPUT on %s', async (_label, field, over) => {
      const before = { connections: await h.count('connection'), services: await h.count('service') };
      const r = await t.gql(CREATE, { i: { name: 'Valid name', service: 'gitlab', ...over } }, admin);
      expect(r.data).toBeNull();
      expect(errorOf(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await h.count('connection')).toBe(before.connections);
      // The catalog service's row is made in the same transaction, so it is rolled back too.
      expect(await h.count('service')).toBe(before.services);
    });

    test('an unknown service is NOT_FOUND', async () => {
      const before = await h.count('connection');
      for (const service of ['no-such-service', 'default:no-such-service', randomUUID()]) {
        const r = await t.gql(CREATE, { i: { name: 'Nowhere', service } }, admin);
        expect(errorOf(r).extensions?.code).toBe('NOT_FOUND');
      }
      expect(await h.count('connection')).toBe(before);
    });

    test('a catalog service with a [subdomain] needs one', async () => {
      // A key or Basic service: its credentials are the member's, so each connection names its host (an OAuth
      // service's host is the workspace's, set with its client: service-tenant-host.integration.test.ts).
      const entry = catalog.find((e) => e.subdomain && (e.authType === 'API_KEY' || e.authType === 'BASIC'))!;
      expect(entry).toBeDefined();
      const svc = (
        await t.gql(`query($s: String) { service(slug: $s) { needsSubdomain } }`, { s: entry.slug }, admin)
      ).data!.service;
      expect(svc.needsSubdomain).toBe(true);
      const before = { connections: await h.count('connection'), services: await h.count('service') };
      const r = await t.gql(CREATE, { i: { name: 'No subdomain', service: entry.slug } }, admin);
      expect(errorOf(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subdomain' });
      expect(await h.count('connection')).toBe(before.connections);
      expect(await h.count('service')).toBe(before.services);
      const ok = await h.create(admin, {
        name: 'With subdomain',
        service: entry.slug,
        subdomain: 'acme-corp',
      });
      expect(ok.service.slug).toBe(entry.slug);
      expect((await t.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id: ok.id })).subdomain).toBe(
        'acme-corp',
      );
    });

    test("a custom service's scopes are the connection's default scopes", async () => {
      const svc = await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id slug } }',
        {
          i: {
            name: 'Scoped Custom',
            authType: 'OAUTH2',
            authorizeUrl: 'https://auth.example.com/authorize',
            accessTokenUrl: 'https://auth.example.com/token',
            clientId: 'cid',
            clientSecret: 'a-client-secret',
            scopes: ['alpha', 'beta'],
            apiBaseUrls: ['https://api.example.com/'],
          },
        },
        admin,
      );
      const c = await h.create(admin, { name: 'Uses custom', service: svc.data!.createCustomService.id });
      expect(c.scopes).toEqual(['alpha', 'beta']);
      expect(c.service).toMatchObject({
        id: svc.data!.createCustomService.id,
        slug: svc.data!.createCustomService.slug,
      });
      const bySlug = await h.create(admin, {
        name: 'Uses custom by slug',
        service: svc.data!.createCustomService.slug,
      });
      expect(bySlug.service.id).toBe(svc.data!.createCustomService.id);
    });

    test("status is the viewer's principal's authorization, NOT_CONNECTED until one exists", async () => {
      const { userId: adminId } = await h.viewer(admin);
      const { userId: otherId } = await addMember(t, 'status-member@example.com');
      const c = await h.create(admin, { name: 'Status check', service: 'github' });
      const read = async () => (await t.gql(BY_ID, { id: c.id }, admin)).data!.connection;
      expect(await read()).toMatchObject({ status: 'NOT_CONNECTED', authorization: null });

      // Someone else's authorization is not the one an owner-credential connection uses.
      await h.authorize(c.id, otherId, 'CONNECTED');
      expect(await read()).toMatchObject({ status: 'NOT_CONNECTED', authorization: null });

      await h.authorize(c.id, adminId, 'PENDING');
      expect(await read()).toMatchObject({
        status: 'PENDING',
        authorization: { status: 'PENDING', principal: { id: adminId } },
      });
      await t.server.ds
        .getRepository(AuthorizationRow)
        .update({ connectionId: c.id, principalId: adminId }, { status: 'CONNECTED' });
      const connected = await read();
      expect(connected).toMatchObject({
        status: 'CONNECTED',
        authorization: { status: 'CONNECTED', principal: { id: adminId, email: ADMIN_EMAIL } },
      });
      const listed = (await h.list(admin, { search: 'status check' })).find((x) => x.id === c.id);
      expect(listed).toEqual(connected);
    });
  });

  describe('visibility, scopes and filters', () => {
    let t: TestServer;
    let h: ReturnType<typeof helpers>;
    const auth: Record<'admin' | 'm1' | 'm2', Auth> = {} as never;
    const user: Record<'admin' | 'm1' | 'm2', { userId: string; email: string }> = {} as never;
    const c: Record<string, Conn> = {};
    let team: { id: string; slug: string };
    let longSlug: { id: string; slug: string };

    beforeAll(async () => {
      t = await startTestServer(db);
      h = helpers(t);
      auth.admin = await t.adminAuth();
      const m1 = await addMember(t, 'm1@example.com');
      const m2 = await addMember(t, 'm2@example.com');
      auth.m1 = m1.auth;
      auth.m2 = m2.auth;
      for (const k of ['admin', 'm1', 'm2'] as const) user[k] = await h.viewer(auth[k]);
      const svc = async (name: string) =>
        (
          await t.gql(
            'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id slug } }',
            { i: { name, authType: 'BASIC', apiBaseUrls: ['https://team.example.com/'] } },
            auth.admin,
          )
        ).data!.createCustomService;
      team = await svc('Team API');
      // A slug of exactly 36 characters, the length of an id.
      longSlug = await svc('Acme internal reporting service v2xy');
      expect(longSlug.slug).toHaveLength(36);

      const make = async (
        who: 'admin' | 'm1' | 'm2',
        linkName: string,
        name: string,
        service: string,
        login: boolean,
      ) => {
        c[linkName] = await h.create(auth[who], { name, linkName, service, useLoginUserCredentials: login });
      };
      await make('admin', 'a_owner', 'Admin owner', 'github', false);
      await make('admin', 'a_login', 'Admin login', team.id, true);
      await make('admin', 'plain', 'Plain', team.slug, false);
      await make('admin', 'percent_100', 'Percent 100%', longSlug.id, false);
      await make('m1', 'm1_owner', 'M1 owner', 'github', false);
      await make('m1', 'm1_login', 'M1 login', team.id, true);
      await make('m2', 'm2_owner', 'M2 owner', team.id, false);
      await make('m2', 'm2_login', 'M2 login', 'github', true);

      await h.authorize(c.m2_owner!.id, user.m2.userId, 'CONNECTED'); // the owner's, used by everyone
      await h.authorize(c.m1_login!.id, user.admin.userId, 'CONNECTED'); // the admin's own, for m1's login-user connection
      await h.authorize(c.a_login!.id, user.m1.userId, 'PENDING'); // m1 started but did not finish
    });
    afterAll(async () => {
      await t?.close();
    });

    /** m1 authorizes m2's login-user connection (idempotent: tests may run alone). */
    const m1AuthorizesM2Login = async () => {
      if (
        !(await t.server.ds
          .getRepository(AuthorizationRow)
          .countBy({ connectionId: c.m2_login!.id, principalId: user.m1.userId }))
      )
        await h.authorize(c.m2_login!.id, user.m1.userId, 'CONNECTED');
    };
    const ALL = [
      'a_owner',
      'a_login',
      'plain',
      'percent_100',
      'm1_owner',
      'm1_login',
      'm2_owner',
      'm2_login',
    ].sort();

    test('OWN lists what the viewer owns', async () => {
      expect(await h.linkNames(auth.admin, { scope: 'OWN' })).toEqual([
        'a_login',
        'a_owner',
        'percent_100',
        'plain',
      ]);
      expect(await h.linkNames(auth.m1, { scope: 'OWN' })).toEqual(['m1_login', 'm1_owner']);
      expect(await h.linkNames(auth.m2, { scope: 'OWN' })).toEqual(['m2_login', 'm2_owner']);
    });

    test("a member sees every unrestricted connection: others' owner-credential ones too (issue 13)", async () => {
      expect(await h.linkNames(auth.m1)).toEqual(ALL);
      expect(await h.linkNames(auth.m1, { scope: 'ALL' })).toEqual(ALL);
      expect(await h.linkNames(auth.m2)).toEqual(ALL);
      // Each member may call another's owner-credential connection, with the owner's authorization.
      for (const linkName of ['m2_owner', 'a_owner', 'plain', 'percent_100']) {
        const byId = (await t.gql(BY_ID, { id: c[linkName]!.id }, auth.m1)).data!.connection;
        expect(byId.owner.email).not.toBe('m1@example.com');
        expect((await t.gql(BY_LINK, { l: linkName }, auth.m1)).data!.connection).toEqual(byId);
      }
      const visible = await t.gql(BY_LINK, { l: 'm2_login' }, auth.m1);
      expect(visible.data!.connection).toMatchObject({
        id: c.m2_login!.id,
        owner: { email: 'm2@example.com' },
      });
    });

    test('an admin sees everything', async () => {
      expect(await h.linkNames(auth.admin)).toEqual(ALL);
      for (const linkName of ALL)
        expect((await t.gql(BY_LINK, { l: linkName }, auth.admin)).data!.connection.id).toBe(c[linkName]!.id);
    });

    test("SHARED: others' login-user connections once the viewer authorized them, and others' owner-credential ones", async () => {
      // Relation OWNER_CREDENTIALS: the owner-credential connections the viewer does not own.
      const othersOwnerCredentials = (who: 'admin' | 'm1' | 'm2') =>
        ({
          admin: ['m1_owner', 'm2_owner'],
          m1: ['a_owner', 'm2_owner', 'percent_100', 'plain'],
          m2: ['a_owner', 'm1_owner', 'percent_100', 'plain'],
        })[who];
      // m1 has only a PENDING authorization (on a_login): not authorized yet.
      expect(await h.linkNames(auth.m1, { scope: 'SHARED' })).toEqual(othersOwnerCredentials('m1').sort());
      await m1AuthorizesM2Login();
      expect(await h.linkNames(auth.m1, { scope: 'SHARED' })).toEqual(
        [...othersOwnerCredentials('m1'), 'm2_login'].sort(),
      );
      expect(await h.linkNames(auth.m2, { scope: 'OWN' })).toEqual(['m2_login', 'm2_owner']);
      expect(await h.linkNames(auth.m2, { scope: 'SHARED' })).toEqual(othersOwnerCredentials('m2').sort());
      expect(await h.linkNames(auth.admin, { scope: 'SHARED' })).toEqual(
        [...othersOwnerCredentials('admin'), 'm1_login'].sort(),
      );
      // An owner-credential connection is shared as the owner's, whatever other authorizations exist for it.
      await h.authorize(c.a_owner!.id, user.m2.userId, 'CONNECTED');
      expect(await h.linkNames(auth.m2, { scope: 'SHARED' })).toEqual(othersOwnerCredentials('m2').sort());
      await t.server.ds
        .getRepository(AuthorizationRow)
        .delete({ connectionId: c.a_owner!.id, principalId: user.m2.userId });
    });

    test('the status shown is per viewer', async () => {
      await m1AuthorizesM2Login();
      const statusOf = async (who: 'admin' | 'm1' | 'm2', linkName: string) => {
        const one = (await t.gql(BY_LINK, { l: linkName }, auth[who])).data!.connection;
        const listed = (await h.list(auth[who])).find((x) => x.linkName === linkName);
        expect(listed).toEqual(one);
        return { status: one.status, principal: one.authorization?.principal.email ?? null };
      };
      // Login-user: the viewer's own authorization.
      expect(await statusOf('m1', 'm2_login')).toEqual({ status: 'CONNECTED', principal: 'm1@example.com' });
      expect(await statusOf('m2', 'm2_login')).toEqual({ status: 'NOT_CONNECTED', principal: null });
      expect(await statusOf('admin', 'm2_login')).toEqual({ status: 'NOT_CONNECTED', principal: null });
      expect(await statusOf('m1', 'a_login')).toEqual({ status: 'PENDING', principal: 'm1@example.com' });
      expect(await statusOf('admin', 'm1_login')).toEqual({ status: 'CONNECTED', principal: ADMIN_EMAIL });
      expect(await statusOf('m1', 'm1_login')).toEqual({ status: 'NOT_CONNECTED', principal: null });
      // Owner-credential: the owner's authorization, for every viewer.
      expect(await statusOf('m2', 'm2_owner')).toEqual({ status: 'CONNECTED', principal: 'm2@example.com' });
      expect(await statusOf('admin', 'm2_owner')).toEqual({
        status: 'CONNECTED',
        principal: 'm2@example.com',
      });
      expect(await statusOf('admin', 'a_owner')).toEqual({ status: 'NOT_CONNECTED', principal: null });
    });

    test('filter by service: slug, catalog id, custom id, and a 36-character slug', async () => {
      expect(await h.linkNames(auth.admin, { service: 'github' })).toEqual([
        'a_owner',
        'm1_owner',
        'm2_login',
      ]);
      expect(await h.linkNames(auth.admin, { service: 'default:github' })).toEqual([
        'a_owner',
        'm1_owner',
        'm2_login',
      ]);
      expect(await h.linkNames(auth.admin, { service: team.id })).toEqual([
        'a_login',
        'm1_login',
        'm2_owner',
        'plain',
      ]);
      expect(await h.linkNames(auth.admin, { service: team.slug })).toEqual([
        'a_login',
        'm1_login',
        'm2_owner',
        'plain',
      ]);
      expect(await h.linkNames(auth.admin, { service: longSlug.id })).toEqual(['percent_100']);
      expect(await h.linkNames(auth.admin, { service: longSlug.slug })).toEqual(['percent_100']);
      // A member sees the same: nothing here is restricted.
      expect(await h.linkNames(auth.m1, { service: team.id })).toEqual([
        'a_login',
        'm1_login',
        'm2_owner',
        'plain',
      ]);
      expect(await h.linkNames(auth.admin, { service: 'gitlab' })).toEqual([]);
      const unknown = await t.gql(LIST, { f: { service: 'no-such-service' } }, auth.admin);
      expect(errorOf(unknown).extensions?.code).toBe('NOT_FOUND');
    });

    test("filter by status, as seen by the viewer's principal", async () => {
      await m1AuthorizesM2Login();
      // m2_owner runs with m2's CONNECTED authorization, for m1 too.
      expect(await h.linkNames(auth.m1, { status: 'CONNECTED' })).toEqual(['m2_login', 'm2_owner']);
      expect(await h.linkNames(auth.m1, { status: 'PENDING' })).toEqual(['a_login']);
      expect(await h.linkNames(auth.m1, { status: 'NOT_CONNECTED' })).toEqual([
        'a_owner',
        'm1_login',
        'm1_owner',
        'percent_100',
        'plain',
      ]);
      expect(await h.linkNames(auth.admin, { status: 'CONNECTED' })).toEqual(['m1_login', 'm2_owner']);
      expect(await h.linkNames(auth.admin, { status: 'NOT_CONNECTED' })).toEqual(
        ALL.filter((l) => !['m1_login', 'm2_owner'].includes(l)),
      );
      expect(await h.linkNames(auth.admin, { status: 'REVOKED' })).toEqual([]);
      expect(await h.linkNames(auth.m1, { scope: 'SHARED', status: 'CONNECTED' })).toEqual([
        'm2_login',
        'm2_owner',
      ]);
      expect(await h.linkNames(auth.m1, { scope: 'OWN', status: 'CONNECTED' })).toEqual([]);
    });

    test('search matches name or link name, case-insensitively, and "_" or "%" literally', async () => {
      expect(await h.linkNames(auth.admin, { search: 'M1' })).toEqual(['m1_login', 'm1_owner']);
      expect(await h.linkNames(auth.admin, { search: 'admin OWNER' })).toEqual(['a_owner']);
      expect(await h.linkNames(auth.admin, { search: 'a_own' })).toEqual(['a_owner']);
      expect(await h.linkNames(auth.admin, { search: 'PLAIN' })).toEqual(['plain']);
      // Only "plain" has no underscore in its name or link name; a LIKE wildcard would match it too.
      expect(await h.linkNames(auth.admin, { search: '_' })).toEqual(ALL.filter((l) => l !== 'plain'));
      expect(await h.linkNames(auth.admin, { search: '%' })).toEqual(['percent_100']);
      expect(await h.linkNames(auth.admin, { search: 'm_' })).toEqual([]);
      expect(await h.linkNames(auth.admin, { search: '\\' })).toEqual([]);
      expect(await h.linkNames(auth.admin, { search: "o'brien" })).toEqual([]);
      expect(await h.linkNames(auth.m1, { search: 'owner' })).toEqual(['a_owner', 'm1_owner', 'm2_owner']);
    });

    test('pages walk the list without duplicates', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 10; i++) {
        const r: GqlResult = await t.gql(LIST, { first: 3, after }, auth.admin);
        expect(r.data!.connections.totalCount).toBe(ALL.length);
        seen.push(...r.data!.connections.nodes.map((n: Conn) => n.linkName));
        if (!r.data!.connections.pageInfo.hasNextPage) break;
        after = r.data!.connections.pageInfo.endCursor;
      }
      expect(seen.sort()).toEqual(ALL);
    });
  });

  describe('reading by link name and deleting', () => {
    let t: TestServer;
    let h: ReturnType<typeof helpers>;
    let admin: Auth;
    beforeAll(async () => {
      t = await startTestServer(db);
      h = helpers(t);
      admin = await t.adminAuth();
    });
    afterAll(async () => {
      await t?.close();
    });

    test('connection(linkName) finds it; a missing or absent reference is refused', async () => {
      const c = await h.create(admin, { name: 'Find me', service: 'github' });
      expect((await t.gql(BY_LINK, { l: 'find_me' }, admin)).data!.connection).toEqual(c);
      expect((await t.gql(BY_ID, { id: c.id }, admin)).data!.connection).toEqual(c);
      expect(errorOf(await t.gql(BY_LINK, { l: 'find_me_not' }, admin)).extensions?.code).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(BY_ID, { id: randomUUID() }, admin)).extensions?.code).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(`{ connection { id } }`, {}, admin)).extensions?.code).toBe(
        'BAD_USER_INPUT',
      );
    });

    test('only the owner or an admin deletes; deleting removes the authorizations and is audited', async () => {
      const { auth: m1, userId: m1Id } = await addMember(t, 'deleter@example.com');
      const { auth: m2, userId: m2Id } = await addMember(t, 'bystander@example.com');
      const { userId: adminId } = await h.viewer(admin);

      // A login-user connection m2 can see but does not own.
      const teamConn = await h.create(m1, {
        name: 'Team conn',
        service: 'github',
        useLoginUserCredentials: true,
      });
      await h.authorize(teamConn.id, m1Id);
      await h.authorize(teamConn.id, m2Id);
      await h.authorize(teamConn.id, adminId);
      expect((await t.gql(BY_ID, { id: teamConn.id }, m2)).data!.connection.id).toBe(teamConn.id);
      const refused = await t.gql(DELETE, { id: teamConn.id }, m2);
      expect(refused.data).toBeNull();
      expect(errorOf(refused).extensions?.code).toBe('FORBIDDEN');
      expect(await h.count('connection', `WHERE id = '${teamConn.id}'`)).toBe(1);
      expect(await h.count('authorization', `WHERE "connectionId" = '${teamConn.id}'`)).toBe(3);

      // An owner-credential connection of someone else: a member may use it, not delete it.
      const private1 = await h.create(m1, { name: 'Private conn', service: 'github' });
      expect(errorOf(await t.gql(DELETE, { id: private1.id }, m2)).extensions?.code).toBe('FORBIDDEN');
      expect(await h.count('connection', `WHERE id = '${private1.id}'`)).toBe(1);

      const deleted = await t.gql(DELETE, { id: teamConn.id }, m1);
      expect(deleted.data).toEqual({ deleteConnection: teamConn.id });
      expect(await h.count('connection', `WHERE id = '${teamConn.id}'`)).toBe(0);
      expect(await h.count('authorization', `WHERE "connectionId" = '${teamConn.id}'`)).toBe(0);
      expect(errorOf(await t.gql(BY_ID, { id: teamConn.id }, m1)).extensions?.code).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(DELETE, { id: teamConn.id }, m1)).extensions?.code).toBe('NOT_FOUND');
      // The link name is free again.
      expect((await h.create(m1, { name: 'Team conn', service: 'github' })).linkName).toBe('team_conn');

      const events = await t.gql(
        `query($f: AuditEventFilter) { auditEvents(filter: $f, first: 50) { nodes { action targetId connectionId metadata actor { email } } } }`,
        { f: { action: 'connection.deleted' } },
        admin,
      );
      expect(events.data!.auditEvents.nodes).toContainEqual({
        action: 'connection.deleted',
        targetId: teamConn.id,
        connectionId: teamConn.id,
        metadata: { linkName: 'team_conn' },
        actor: { email: 'deleter@example.com' },
      });

      // An admin may delete a member's connection.
      expect((await t.gql(DELETE, { id: private1.id }, admin)).data).toEqual({
        deleteConnection: private1.id,
      });
      expect(await h.count('connection', `WHERE id = '${private1.id}'`)).toBe(0);
    });
  });

  describe('query count does not grow with the page size', () => {
    let t: TestServer;
    let admin: Auth;
    let member: Auth;
    let h: ReturnType<typeof helpers>;
    const Q = (first: number) =>
      `{ connections(first: ${first}) { totalCount nodes { id name linkName status service { name } owner { email } authorization { status principal { email } } } } }`;

    beforeAll(async () => {
      // No background job beside the requests: a webhook poll during a measurement counted as the list's.
      t = await startTestServer(db, {}, { backgroundJobs: false });
      h = helpers(t);
      admin = await t.adminAuth();
      const m = await addMember(t, 'counted@example.com');
      member = m.auth;
      const { userId: adminId, workspaceId } = await h.viewer(admin);
      const memberId = m.userId;
      // Rows for a catalog and a custom service, made through the API.
      await h.create(admin, { name: 'Seed github', service: 'github' });
      const custom = await t.gql(
        'mutation { createCustomService(input: {name: "Seed Basic", authType: BASIC, apiBaseUrls: ["https://seed.example.com/"]}) { id } }',
        {},
        admin,
      );
      const githubRow = await t.server.ds
        .getRepository(ServiceRow)
        .findOneByOrFail({ workspaceId, slug: 'github' });
      const customId = custom.data!.createCustomService.id;

      const connections: Partial<ConnectionRow>[] = [];
      const authorizations: Partial<AuthorizationRow>[] = [];
      // The member owns 80 and sees 20 of the admin's login-user ones: at least 100 visible to both viewers, so a
      // page of 100 is full either way (TypeORM skips its COUNT query for a first page that is not full).
      for (let i = 0; i < 120; i++) {
        const ownerId = i % 3 === 0 ? adminId : memberId;
        const login = i % 2 === 0;
        const id = newId();
        connections.push({
          id,
          workspaceId,
          name: `Seeded ${i}`,
          linkName: `seeded_${i}`,
          serviceId: i % 2 ? githubRow.id : customId,
          scopes: ['s'],
          useLoginUserCredentials: login,
          ownerId,
          establishedAt: new Date(),
        });
        const auth = (principalId: string, status: AuthorizationStatus) =>
          authorizations.push({
            id: newId(),
            workspaceId,
            connectionId: id,
            principalId,
            status,
            grantedScopes: ['s'],
          });
        if (i % 5 < 2) auth(ownerId, 'CONNECTED'); // the owner's own
        if (login && ownerId === memberId && i % 4 === 0) auth(adminId, 'NEEDS_REAUTH'); // the admin on a member's login-user one
        if (login && ownerId === adminId) auth(memberId, 'REFRESH_FAILED'); // the member on the admin's login-user ones
      }
      await t.server.ds.getRepository(ConnectionRow).save(connections, { chunk: 20 });
      await t.server.ds.getRepository(AuthorizationRow).save(authorizations, { chunk: 20 });
    });
    afterAll(async () => {
      await t?.close();
    });

    const measure = async (auth: Auth, first: number) => {
      const before = t.server.queryCounter.count;
      const r = await t.gql(Q(first), {}, auth);
      const queries = t.server.queryCounter.count - before;
      expect(r.errors).toBeUndefined();
      return { queries, page: r.data!.connections };
    };

    test.each(['admin', 'member'] as const)('as %s', async (who) => {
      const auth = who === 'admin' ? admin : member;
      await measure(auth, 1); // warm-up: nothing cached may hide a query, but sign-in side effects settle
      const small = await measure(auth, 10);
      const large = await measure(auth, 100);
      expect(small.page.nodes).toHaveLength(10);
      expect(large.page.nodes).toHaveLength(100);
      expect(large.page.totalCount).toBe(121);
      // The big page really carries owners, authorizations and their principals, including the viewer's own.
      const principals = new Set(
        large.page.nodes
          .filter((n: Conn) => n.authorization)
          .map((n: Conn) => n.authorization.principal.email),
      );
      expect(principals).toEqual(new Set([ADMIN_EMAIL, 'counted@example.com']));
      const loginUser = large.page.nodes.filter(
        (n: Conn) => n.authorization && n.owner.email !== n.authorization.principal.email,
      );
      expect(loginUser.length).toBeGreaterThan(0); // someone else's login-user connection, with the viewer's own authorization
      expect(new Set(large.page.nodes.map((n: Conn) => n.owner.email))).toEqual(
        new Set([ADMIN_EMAIL, 'counted@example.com']),
      );
      expect(new Set(large.page.nodes.map((n: Conn) => n.service.name))).toEqual(
        new Set(['GitHub', 'Seed Basic']),
      );

      expect(large.queries).toBe(small.queries);
      expect(small.queries).toBeLessThanOrEqual(8);
    });
  });

  describe('across workspaces', () => {
    let t: TestServer;
    let h: ReturnType<typeof helpers>;
    let admin: Auth;
    let other: Auth;
    let ws1Service: { id: string; slug: string };
    let ws1Conn: Conn;
    let ws1Shared: Conn;
    beforeAll(async () => {
      t = await startTestServer(db);
      h = helpers(t);
      admin = await t.adminAuth();
      ws1Service = (
        await t.gql(
          'mutation { createCustomService(input: {name: "WS1 Private", authType: BASIC, apiBaseUrls: ["https://ws1.example.com/"]}) { id slug } }',
          {},
          admin,
        )
      ).data!.createCustomService;
      ws1Conn = await h.create(admin, {
        name: 'WS1 conn',
        service: ws1Service.id,
        useLoginUserCredentials: true,
      });
      ws1Shared = await h.create(admin, { name: 'Shared', linkName: 'shared_name', service: 'github' });
      await seedWorkspaceWithUser(t, {
        email: 'other-admin@example.com',
        password: 'other-password-123',
        role: 'ADMIN',
      });
      other = await t.signIn('other-admin@example.com', 'other-password-123');
    });
    afterAll(async () => {
      await t?.close();
    });

    test("another workspace's admin sees none of this workspace's connections or custom services", async () => {
      for (const scope of ['ALL', 'OWN', 'SHARED']) expect(await h.list(other, { scope })).toEqual([]);
      const services = await t.gql('{ services(filter: {kind: CUSTOM}) { totalCount } }', {}, other);
      expect(services.data!.services.totalCount).toBe(0);
      for (const [q, vars] of [
        [BY_ID, { id: ws1Conn.id }],
        [BY_LINK, { l: ws1Conn.linkName }],
        [BY_LINK, { l: 'shared_name' }],
        ['query($id: ID) { service(id: $id) { id } }', { id: ws1Service.id }],
        ['query($s: String) { service(slug: $s) { id } }', { s: ws1Service.slug }],
        [LIST, { f: { service: ws1Service.id } }],
      ] as const) {
        const r = await t.gql(q, vars, other);
        expect({ q, code: r.errors?.[0]?.extensions?.code, data: r.data }).toEqual({
          q,
          code: 'NOT_FOUND',
          data: null,
        });
      }
      // For an admin the audit filter is only a filter: the other workspace's connection has no events here.
      const filtered = await t.gql(
        'query($id: ID) { auditEvents(filter: {connectionId: $id}) { totalCount } }',
        { id: ws1Conn.id },
        other,
      );
      expect(filtered.data?.auditEvents?.totalCount ?? filtered.errors?.[0]?.extensions?.code).toBe(0);
      expect(
        (
          await t.gql(
            'query($id: ID) { auditEvents(filter: {connectionId: $id}) { totalCount } }',
            { id: ws1Conn.id },
            admin,
          )
        ).data!.auditEvents.totalCount,
      ).toBeGreaterThan(0);
      const events = await t.gql('{ auditEvents(first: 100) { nodes { targetId } } }', {}, other);
      const ids = events.data!.auditEvents.nodes.map((e: { targetId: string }) => e.targetId);
      expect(ids).not.toContain(ws1Conn.id);
      expect(ids).not.toContain(ws1Service.id);
    });

    test("it cannot use, change or delete this workspace's things", async () => {
      const before = await h.count('connection');
      for (const service of [ws1Service.id, ws1Service.slug]) {
        const r = await t.gql(CREATE, { i: { name: 'Borrowed', service } }, other);
        expect(errorOf(r).extensions?.code).toBe('NOT_FOUND');
      }
      expect(await h.count('connection')).toBe(before);
      for (const [q, vars] of [
        [DELETE, { id: ws1Conn.id }],
        ['mutation($id: ID!) { deleteService(id: $id) }', { id: ws1Service.id }],
        [
          'mutation($id: ID!) { updateService(input: {id: $id, name: "Taken over"}) { id } }',
          { id: ws1Service.id },
        ],
      ] as const) {
        expect(errorOf(await t.gql(q, vars, other)).extensions?.code).toBe('NOT_FOUND');
      }
      expect((await t.gql(BY_ID, { id: ws1Conn.id }, admin)).data!.connection.id).toBe(ws1Conn.id);
      expect(
        (await t.gql('query($id: ID) { service(id: $id) { name } }', { id: ws1Service.id }, admin)).data!
          .service.name,
      ).toBe('WS1 Private');
    });

    test('link names are unique per workspace, not globally; API tokens stay in their workspace', async () => {
      const mine = await h.create(other, {
        name: 'Other shared',
        linkName: 'shared_name',
        service: 'github',
      });
      expect(mine.id).not.toBe(ws1Shared.id);
      // A derived name is free in this workspace even though workspace 1 uses it.
      expect((await h.create(other, { name: 'WS1 conn', service: 'github' })).linkName).toBe(
        ws1Conn.linkName,
      );
      expect((await t.gql(BY_LINK, { l: 'shared_name' }, admin)).data!.connection.id).toBe(ws1Shared.id);
      expect((await t.gql(BY_LINK, { l: 'shared_name' }, other)).data!.connection.id).toBe(mine.id);

      const token = (await t.gql('mutation { createApiToken(input: {name: "other"}) { token } }', {}, other))
        .data!.createApiToken.token;
      const viaToken = { token };
      const me = await t.gql('{ viewer { workspace { id name } } }', {}, viaToken);
      expect(me.data!.viewer.workspace.name).toBe('Other workspace');
      expect((await h.linkNames(viaToken)).sort()).toEqual(['shared_name', ws1Conn.linkName].sort());
      const theirs = await h.list(viaToken);
      expect(theirs.map((x) => x.id)).not.toContain(ws1Shared.id);
      expect(theirs.map((x) => x.id)).not.toContain(ws1Conn.id);
      expect(errorOf(await t.gql(BY_ID, { id: ws1Conn.id }, viaToken)).extensions?.code).toBe('NOT_FOUND');
      // And workspace 1 still sees only its own.
      expect((await h.linkNames(admin)).sort()).toEqual(['shared_name', ws1Conn.linkName].sort());
      expect((await h.list(admin)).map((x) => x.id).sort()).toEqual([ws1Conn.id, ws1Shared.id].sort());
    });
  });
});
