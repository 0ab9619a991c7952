import { AuthorizationRow, ConnectionRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { InvalidationKind } from './invalidation';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  seedWorkspaceWithUser,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(90_000);

// Issue 13: updateConnection (display name, scopes, who may use it; owner and admins only), and the list
// scopes with their new meaning per viewer (OWN, SHARED = SHARED or OWNER_CREDENTIALS, ALL), with the owner
// filter and the relation each viewer sees.

const VIEW = `id name linkName scopes relation restriction { members { id } }
  authorization { status grantedScopes } viewerCan { use connect manage }`;
const CREATE = `mutation($i: CreateConnectionInput!) { createConnection(input: $i) { ${VIEW} } }`;
const UPDATE = `mutation($i: UpdateConnectionInput!) { updateConnection(input: $i) { ${VIEW} } }`;
const BY_ID = `query($id: ID) { connection(id: $id) { ${VIEW} } }`;
const LIST = `query($f: ConnectionFilter) { connections(filter: $f, first: 100) { totalCount nodes { linkName relation } } }`;
const AUDIT = `query($f: AuditEventFilter) { auditEvents(filter: $f, first: 20) { nodes { action metadata } } }`;

type Who = 'admin' | 'm1' | 'm2' | 'm3';

describe.each(databases())('updateConnection and list scopes (%s)', (db) => {
  let t: TestServer;
  let oauth: string;
  const auth = {} as Record<Who, Auth>;
  const id = {} as Record<Who, string>;

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const errorOf = (r: GqlResult) => {
    expect(r.data).toBeNull();
    return r.errors![0]!.extensions!;
  };
  const create = async (who: Who, input: Record<string, unknown>) =>
    ok(await t.gql(CREATE, { i: { service: oauth, ...input } }, auth[who])).createConnection;
  const update = (who: Who, input: Record<string, unknown>) => t.gql(UPDATE, { i: input }, auth[who]);

  beforeAll(async () => {
    t = await startTestServer(db);
    auth.admin = await t.adminAuth();
    id.admin = ok(await t.gql('{ viewer { user { id } } }', {}, auth.admin)).viewer.user.id;
    for (const who of ['m1', 'm2', 'm3'] as const) {
      const m = await addMember(t, `update-${who}@example.com`);
      auth[who] = m.auth;
      id[who] = m.userId;
    }
    oauth = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id } }',
        {
          i: {
            name: 'Scoped OAuth',
            authType: 'OAUTH2',
            authorizeUrl: 'https://auth.example.com/authorize',
            accessTokenUrl: 'https://auth.example.com/token',
            clientId: 'cid',
            clientSecret: 'a-client-secret',
            scopes: ['read', 'write', 'admin'],
            apiBaseUrls: ['https://api.example.com/'],
          },
        },
        auth.admin,
      ),
    ).createCustomService.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the owner renames it, changes its scopes and who may use it; the link name stays', async () => {
    const c = await create('m1', { name: 'Reports', scopes: ['read'] });
    // An authorization granted "read": a scope change must not break it.
    const workspaceId = (await t.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id: c.id }))
      .workspaceId;
    await t.server.ds.getRepository(AuthorizationRow).save({
      id: newId(),
      workspaceId,
      connectionId: c.id,
      principalId: id.m1,
      status: 'CONNECTED',
      grantedScopes: ['read'],
    });
    const announced: [InvalidationKind, string][] = [];
    const stop = t.server.services.invalidator.onInvalidate((kind, what) => announced.push([kind, what]));
    try {
      const renamed = ok(await update('m1', { id: c.id, name: '  Quarterly reports ' })).updateConnection;
      expect(renamed).toMatchObject({ name: 'Quarterly reports', linkName: c.linkName, scopes: ['read'] });
      const rescoped = ok(await update('m1', { id: c.id, scopes: ['read', 'write'] })).updateConnection;
      expect(rescoped).toMatchObject({
        name: 'Quarterly reports',
        scopes: ['read', 'write'],
        // Still working with what it was granted, until it is re-authorized.
        authorization: { status: 'CONNECTED', grantedScopes: ['read'] },
      });
      const restricted = ok(
        await update('m1', {
          id: c.id,
          access: { restricted: true, members: [id.m2, id.m1, id.admin, id.m2] },
        }),
      ).updateConnection;
      // The owner and admins are implicit: never stored; repeats once.
      expect(restricted.restriction).toEqual({ members: [{ id: id.m2 }] });
      expect(errorOf(await t.gql(BY_ID, { id: c.id }, auth.m3)).code).toBe('NOT_FOUND');
      expect(ok(await t.gql(BY_ID, { id: c.id }, auth.m2)).connection.relation).toBe('OWNER_CREDENTIALS');
      const opened = ok(await update('admin', { id: c.id, access: { restricted: false, members: [id.m2] } }));
      expect(opened.updateConnection.restriction).toBeNull();
      expect(ok(await t.gql(BY_ID, { id: c.id }, auth.m3)).connection.name).toBe('Quarterly reports');
      // Each change reached caches and sockets on every replica, once committed.
      expect(announced.filter(([kind, what]) => kind === 'connection' && what === c.id)).toHaveLength(4);
    } finally {
      stop();
    }
    const entries = ok(
      await t.gql(AUDIT, { f: { connectionId: c.id, action: 'connection.updated' } }, auth.admin),
    ).auditEvents.nodes;
    // In any order: two changes may share a timestamp.
    expect(entries).toHaveLength(4);
    expect(entries.map((e: { metadata: Record<string, unknown> }) => e.metadata)).toEqual(
      expect.arrayContaining([
        { linkName: c.linkName, restricted: false, restrictedTo: null },
        { linkName: c.linkName, restricted: true, restrictedTo: id.m2 },
        { linkName: c.linkName, scopesAdded: 'write', scopesRemoved: '' },
        { linkName: c.linkName, previousName: 'Reports', name: 'Quarterly reports' },
      ]),
    );
    expect(JSON.stringify(entries)).not.toContain('a-client-secret');
  });

  test('only the owner and admins: FORBIDDEN for a member who sees it, NOT_FOUND for one who does not', async () => {
    const c = await create('m1', { name: 'Guarded', access: { restricted: true, members: [id.m2] } });
    expect(errorOf(await update('m2', { id: c.id, name: 'Mine' })).code).toBe('FORBIDDEN');
    expect(errorOf(await update('m3', { id: c.id, name: 'Mine' })).code).toBe('NOT_FOUND');
    expect(ok(await update('admin', { id: c.id, name: 'By an admin' })).updateConnection.name).toBe(
      'By an admin',
    );
    expect(ok(await t.gql(BY_ID, { id: c.id }, auth.m1)).connection.name).toBe('By an admin');
  });

  test('validation errors name the field, and change nothing', async () => {
    const c = await create('m1', { name: 'Validated', scopes: ['read'] });
    const other = await seedWorkspaceWithUser(t, {
      email: 'update-stranger@example.com',
      password: 'stranger-password-1',
      role: 'MEMBER',
    });
    for (const [input, field] of [
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'n'.repeat(51) }, 'name'],
      [{ scopes: ['read write'] }, 'scopes'],
      [{ scopes: [''] }, 'scopes'],
      [{ access: { restricted: true, members: [id.m2, 'no-such-user'] } }, 'access.members.1'],
      [{ access: { restricted: true, members: [other.userId] } }, 'access.members.0'],
    ] as const) {
      const r = await update('m1', { id: c.id, ...input });
      expect([input, errorOf(r)]).toEqual([
        input,
        expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      ]);
    }
    expect(ok(await t.gql(BY_ID, { id: c.id }, auth.m1)).connection).toMatchObject({
      name: 'Validated',
      scopes: ['read'],
      restriction: null,
    });
    // createConnection takes the same access input, with the same checks.
    const refused = await t.gql(
      CREATE,
      { i: { service: oauth, name: 'Bad access', access: { restricted: true, members: [other.userId] } } },
      auth.m1,
    );
    expect(errorOf(refused)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'access.members.0' });
    expect(errorOf(await update('m1', { id: newId(), name: 'Ghost' })).code).toBe('NOT_FOUND');
  });

  test('list scopes, owner filter and relation, per viewer', async () => {
    // In a workspace of their own: a fresh server keeps the counts exact.
    const s = await startTestServer(db);
    try {
      const a: Record<string, Auth> = { admin: await s.adminAuth() };
      const ids: Record<string, string> = {};
      for (const who of ['m1', 'm2', 'm3']) {
        const m = await addMember(s, `scopes-${who}@example.com`);
        a[who] = m.auth;
        ids[who] = m.userId;
      }
      const make = async (who: string, linkName: string, extra: Record<string, unknown> = {}) =>
        ok(
          await s.gql(
            'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
            { i: { name: linkName, linkName, service: 'github', ...extra } },
            a[who],
          ),
        ).createConnection.id as string;
      await make('m1', 'm1_creds');
      const login = await make('m1', 'm1_login', { useLoginUserCredentials: true });
      await make('admin', 'admin_only', { access: { restricted: true, members: [] } });
      await make('m2', 'm2_for_m3', { access: { restricted: true, members: [ids.m3] } });
      // m2 authorized m1's login-user connection; m3 only started to.
      const unfinished = newId();
      const ws = (await s.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id: login })).workspaceId;
      await s.server.ds.getRepository(AuthorizationRow).save([
        {
          id: newId(),
          workspaceId: ws,
          connectionId: login,
          principalId: ids.m2,
          status: 'CONNECTED',
          grantedScopes: [],
        },
        {
          id: newId(),
          workspaceId: ws,
          connectionId: login,
          principalId: ids.m3,
          status: 'PENDING',
          grantedScopes: [],
        },
      ]);
      // A not-finished connection of m1's (its first authorization has not succeeded).
      const template = await s.server.ds.getRepository(ConnectionRow).findOneByOrFail({ id: login });
      await s.server.ds.getRepository(ConnectionRow).save({
        ...template,
        id: unfinished,
        linkName: 'm1_unfinished',
        name: 'm1_unfinished',
        useLoginUserCredentials: false,
        establishedAt: null,
      });

      const list = async (who: string, filter: Record<string, unknown>) => {
        const r = ok(await s.gql(LIST, { f: filter }, a[who])).connections;
        expect(r.totalCount).toBe(r.nodes.length);
        return Object.fromEntries(
          (r.nodes as { linkName: string; relation: string }[])
            .sort((x, y) => x.linkName.localeCompare(y.linkName))
            .map((n) => [n.linkName, n.relation]),
        );
      };
      const expected: Record<string, Record<'OWN' | 'SHARED' | 'ALL', Record<string, string>>> = {
        m1: {
          OWN: { m1_creds: 'OWN', m1_login: 'OWN', m1_unfinished: 'OWN' },
          SHARED: {},
          ALL: { m1_creds: 'OWN', m1_login: 'OWN', m1_unfinished: 'OWN' },
        },
        m2: {
          OWN: { m2_for_m3: 'OWN' },
          SHARED: { m1_creds: 'OWNER_CREDENTIALS', m1_login: 'SHARED' },
          ALL: { m1_creds: 'OWNER_CREDENTIALS', m1_login: 'SHARED', m2_for_m3: 'OWN' },
        },
        m3: {
          OWN: {},
          SHARED: { m1_creds: 'OWNER_CREDENTIALS', m2_for_m3: 'OWNER_CREDENTIALS' },
          ALL: { m1_creds: 'OWNER_CREDENTIALS', m1_login: 'AVAILABLE', m2_for_m3: 'OWNER_CREDENTIALS' },
        },
        admin: {
          OWN: { admin_only: 'OWN' },
          SHARED: { m1_creds: 'OWNER_CREDENTIALS', m2_for_m3: 'OWNER_CREDENTIALS' },
          // The whole workspace, but for other users' not-finished connections.
          ALL: {
            admin_only: 'OWN',
            m1_creds: 'OWNER_CREDENTIALS',
            m1_login: 'AVAILABLE',
            m2_for_m3: 'OWNER_CREDENTIALS',
          },
        },
      };
      for (const [who, scopes] of Object.entries(expected))
        for (const [scope, nodes] of Object.entries(scopes))
          expect([who, scope, await list(who, { scope })]).toEqual([who, scope, nodes]);

      // The owner filter: admins name anyone, members only themselves.
      expect(await list('admin', { owner: ids.m1 })).toEqual({
        m1_creds: 'OWNER_CREDENTIALS',
        m1_login: 'AVAILABLE',
      });
      expect(await list('admin', { owner: ids.m2, scope: 'SHARED' })).toEqual({
        m2_for_m3: 'OWNER_CREDENTIALS',
      });
      expect(await list('m1', { owner: ids.m1 })).toEqual(expected.m1!.ALL);
      const refused = await s.gql(LIST, { f: { owner: ids.m1 } }, a.m2);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'owner' });
    } finally {
      await s.close();
    }
  });
});
