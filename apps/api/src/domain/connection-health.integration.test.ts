import { AuditEventRow, AuthorizationRow, ConnectionRow, ServiceRow } from '../db/entities';
import type { AuthorizationStatus } from '../db/entities/authorization';
import { newId } from '../db/entities/base';
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

// Health at a glance (Connection.health), the needs-attention filter and the list's order, against real
// calls through a loopback upstream: the counts are checked against the audit rows those calls wrote.

const HEALTH = 'health { lastUsedAt lastSuccessAt calls24h errors24h }';
const LIST = `query($f: ConnectionFilter, $first: Int, $after: String, $o: ConnectionOrder) {
  connections(filter: $f, first: $first, after: $after, orderBy: $o) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name linkName status createdAt service { name } authorization { status missingScopes } ${HEALTH} }
  }
}`;

type Node = Record<string, any>;

const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
  if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
  return r.data!;
};

describe.each(databases())('connection health, needs attention and order (%s)', (db) => {
  let t: TestServer;
  let upstream: Upstream;
  let admin: Auth;
  let member: Auth;
  let memberId: string;
  let workspaceId: string;
  let adminId: string;
  let keyServiceId: string;
  let oauth: string;

  const list = async (auth: Auth, f: Record<string, unknown>, o?: Record<string, unknown>, first = 100) => {
    const nodes: Node[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page: any = ok(await t.gql(LIST, { f, first, after, o }, auth)).connections;
      nodes.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) {
        expect(page.totalCount).toBe(nodes.length);
        return nodes;
      }
      after = page.pageInfo.endCursor;
    }
    throw new Error('too many pages');
  };
  const invoke = async (auth: Auth, connection: string, url: string) =>
    ok(
      await t.gql(
        'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status } }',
        { i: { connection, url, method: 'GET' } },
        auth,
      ),
    ).invokeUrl.status as number;

  /** Connections and authorizations written straight to the database: many rows, no provider needed. */
  const seed = async (
    rows: {
      linkName: string;
      scopes?: string[];
      status?: AuthorizationStatus;
      granted?: string[];
      serviceId?: string;
    }[],
    serviceId: string,
  ) => {
    const connections: Partial<ConnectionRow>[] = [];
    const authorizations: Partial<AuthorizationRow>[] = [];
    for (const r of rows) {
      const id = newId();
      connections.push({
        id,
        workspaceId,
        name: r.linkName.replace(/_/g, ' '),
        linkName: r.linkName,
        serviceId: r.serviceId ?? serviceId,
        scopes: r.scopes ?? [],
        useLoginUserCredentials: false,
        ownerId: adminId,
        establishedAt: new Date(),
      });
      if (r.status)
        authorizations.push({
          id: newId(),
          workspaceId,
          connectionId: id,
          principalId: adminId,
          status: r.status,
          grantedScopes: r.granted ?? r.scopes ?? [],
        });
    }
    await t.server.ds.getRepository(ConnectionRow).save(connections, { chunk: 50 });
    await t.server.ds.getRepository(AuthorizationRow).save(authorizations, { chunk: 50 });
  };

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    upstream = await startUpstream((req, res) => {
      res.writeHead(req.url!.startsWith('/fail') ? 500 : 200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    admin = await t.adminAuth();
    const viewer = ok(await t.gql('{ viewer { user { id } workspace { id } } }', {}, admin)).viewer;
    adminId = viewer.user.id;
    workspaceId = viewer.workspace.id;
    ({ auth: member, userId: memberId } = await addMember(t, 'health-member@example.com'));
    const service = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        {
          i: {
            name: 'Health API',
            authType: 'API_KEY',
            apiKeyParamName: 'X-Key',
            apiBaseUrls: [`${upstream.url}/`],
          },
        },
        admin,
      ),
    ).createCustomService.slug;
    oauth = ok(
      await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id } }',
        {
          i: {
            name: 'Attention OAuth',
            authType: 'OAUTH2',
            authorizeUrl: 'https://auth.example.com/authorize',
            accessTokenUrl: 'https://auth.example.com/token',
            clientId: 'client',
            clientSecret: 'secret-1',
            scopes: ['a', 'b', 'c'],
            apiBaseUrls: ['https://api.example.com/'],
          },
        },
        admin,
      ),
    ).createCustomService.id;
    keyServiceId = (await t.server.ds.getRepository(ServiceRow).findOneByOrFail({ name: 'Health API' })).id;
    for (const name of ['Health busy', 'Health idle'])
      ok(
        await t.gql(
          'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { status } } }',
          { i: { name, service, credentials: { apiKey: 'k-1' } } },
          admin,
        ),
      );
  });
  afterAll(async () => {
    await t?.close();
    await upstream?.close();
  });

  test('health counts the calls the audit rows record, by what each viewer may read', async () => {
    expect(await invoke(member, 'health_busy', 'ok/member')).toBe(200);
    for (const path of ['ok/1', 'ok/2', 'ok/3', 'fail/1', 'fail/2']) await invoke(admin, 'health_busy', path);
    // A call of two days ago: it is the last use of nothing and outside the 24 hours.
    await t.server.services.audit.flush();
    const audit = t.server.ds.getRepository(AuditEventRow);
    const busy = await t.server.ds.getRepository(ConnectionRow).findOneByOrFail({ linkName: 'health_busy' });
    const first = await audit.findOneOrFail({
      where: { connectionId: busy.id, action: 'connection.invoked', actorId: adminId },
      order: { createdAt: 'ASC' },
    });
    await audit.update({ id: first.id }, { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) });

    const rows = await audit.find({
      where: { connectionId: busy.id, action: 'connection.invoked' },
      order: { createdAt: 'ASC' },
    });
    expect(rows).toHaveLength(6);
    const dayAgo = Date.now() - 24 * 3600_000;
    const recent = rows.filter((r) => r.createdAt.getTime() >= dayAgo);
    const iso = (d: Date | undefined) => d?.toISOString() ?? null;
    const newestOf = (xs: AuditEventRow[]) =>
      iso(xs.reduce<Date | undefined>((m, r) => (!m || r.createdAt > m ? r.createdAt : m), undefined));

    const asAdmin = await list(admin, { search: 'health_' });
    const health = (nodes: Node[], link: string) => nodes.find((n) => n.linkName === link)!.health;
    expect(health(asAdmin, 'health_busy')).toEqual({
      lastUsedAt: newestOf(rows),
      lastSuccessAt: newestOf(rows.filter((r) => r.outcome === 'SUCCESS')),
      calls24h: recent.length,
      errors24h: recent.filter((r) => r.outcome === 'FAILURE').length,
    });
    expect(health(asAdmin, 'health_busy')).toMatchObject({ calls24h: 5, errors24h: 2 });
    expect(health(asAdmin, 'health_idle')).toEqual({
      lastUsedAt: null,
      lastSuccessAt: null,
      calls24h: 0,
      errors24h: 0,
    });

    // A member reads their own calls only: the admin's calls through the admin's connection are not theirs.
    const mine = rows.filter((r) => r.actorId === memberId);
    const asMember = ok(
      await t.gql(
        `query($l: String) { connection(linkName: $l) { ${HEALTH} } }`,
        { l: 'health_busy' },
        member,
      ),
    ).connection.health;
    expect(asMember).toEqual({
      lastUsedAt: newestOf(mine),
      lastSuccessAt: newestOf(mine),
      calls24h: 1,
      errors24h: 0,
    });
  });

  test('needsAttention: NEEDS_REAUTH, REFRESH_FAILED and scope drift, as missingScopes says', async () => {
    await seed(
      [
        { linkName: 'attn_reauth', status: 'NEEDS_REAUTH', scopes: ['a'] },
        { linkName: 'attn_refresh', status: 'REFRESH_FAILED' },
        { linkName: 'attn_drift', status: 'CONNECTED', scopes: ['a', 'b'], granted: ['a'], serviceId: oauth },
        {
          linkName: 'attn_superset',
          status: 'CONNECTED',
          scopes: ['a', 'b'],
          granted: ['b', 'c', 'a'],
          serviceId: oauth,
        },
        { linkName: 'attn_same', status: 'CONNECTED', scopes: ['a'], serviceId: oauth },
        // Scopes mean nothing to an API-key service: no drift, as its missingScopes say.
        { linkName: 'attn_key_scopes', status: 'CONNECTED', scopes: ['a', 'b'], granted: ['a'] },
        { linkName: 'attn_revoked', status: 'REVOKED', scopes: ['a'], granted: [] },
        { linkName: 'attn_none', scopes: ['a'] },
      ],
      keyServiceId,
    );
    const names = (nodes: Node[]) => nodes.map((n) => n.linkName).sort();
    const all = await list(admin, { search: 'attn_' });
    const flagged = all.filter(
      (n) => ['NEEDS_REAUTH', 'REFRESH_FAILED'].includes(n.status) || n.authorization?.missingScopes.length,
    );
    expect(names(flagged)).toEqual(['attn_drift', 'attn_reauth', 'attn_refresh']);
    expect(names(await list(admin, { search: 'attn_', needsAttention: true }))).toEqual(names(flagged));
    expect(names(await list(admin, { search: 'attn_', needsAttention: false }))).toEqual([
      'attn_key_scopes',
      'attn_none',
      'attn_revoked',
      'attn_same',
      'attn_superset',
    ]);
    // With another filter: both apply.
    expect(
      names(await list(admin, { search: 'attn_', needsAttention: true, status: 'REFRESH_FAILED' })),
    ).toEqual(['attn_refresh']);
  });

  test('orderBy: name, service, status and created, stable across pages of any size', async () => {
    const all = await list(admin, { search: 'attn_' });
    const byName = [...all].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    for (const first of [1, 2, 3]) {
      const asc = await list(admin, { search: 'attn_' }, { field: 'NAME', direction: 'ASC' }, first);
      expect(asc.map((n) => n.linkName)).toEqual(byName.map((n) => n.linkName));
      const desc = await list(admin, { search: 'attn_' }, { field: 'NAME', direction: 'DESC' }, first);
      expect(desc.map((n) => n.linkName)).toEqual(byName.map((n) => n.linkName).reverse());
    }
    const byStatus = await list(admin, { search: 'attn_' }, { field: 'STATUS', direction: 'ASC' }, 2);
    expect(byStatus.map((n) => n.status)).toEqual([
      'NEEDS_REAUTH',
      'REFRESH_FAILED',
      'CONNECTED',
      'CONNECTED',
      'CONNECTED',
      'CONNECTED',
      'REVOKED',
      'NOT_CONNECTED',
    ]);
    // Equal keys (a service's connections) fall back to the id: pages of 2 neither repeat nor skip a row.
    const key = (n: Node) => [n.service.name.toLowerCase(), n.id] as const;
    const cmp = (a: readonly string[], b: readonly string[]) =>
      a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0;
    const byService = await list(admin, { search: 'attn_' }, { field: 'SERVICE', direction: 'DESC' }, 2);
    expect(byService.map((n) => n.id)).toEqual([...all].sort((a, b) => cmp(key(b), key(a))).map((n) => n.id));
    expect(byService[0]!.service.name).toBe('Health API');
    // Created in the same second on SQLite: the id decides between equal times.
    const created = await list(admin, { search: 'health_' }, { field: 'CREATED', direction: 'ASC' }, 1);
    const createdKey = (n: Node) => [n.createdAt, n.id] as const;
    expect(created.map((n) => n.id)).toEqual(
      [...created].sort((a, b) => cmp(createdKey(a), createdKey(b))).map((n) => n.id),
    );
  });

  test('the list with health and needsAttention: the query count does not grow with the page size', async () => {
    await seed(
      Array.from({ length: 110 }, (_, i) => ({
        linkName: `bulk_${i}`,
        scopes: ['a', 'b'],
        status: (['NEEDS_REAUTH', 'REFRESH_FAILED', 'CONNECTED'] as const)[i % 3],
        granted: ['a'],
      })),
      oauth,
    );
    // The counter counts the whole process: a background job (webhooks, clean-up) may add a statement to one
    // run, never take one away, so the fewest over a few runs is the list's own count.
    const measure = async (f: Record<string, unknown>, first: number) => {
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = t.server.queryCounter.count;
        const page = ok(
          await t.gql(LIST, { f, first, o: { field: 'STATUS', direction: 'ASC' } }, admin),
        ).connections;
        expect(page.nodes).toHaveLength(first);
        // Every row carries its health; the drifted CONNECTED ones count as needing attention.
        expect(page.nodes.every((n: Node) => n.health.calls24h === 0)).toBe(true);
        counts.push(t.server.queryCounter.count - before);
      }
      return Math.min(...counts);
    };
    for (const f of [{ search: 'bulk_' }, { search: 'bulk_', needsAttention: true }]) {
      await measure(f, 1); // warm-up
      const small = await measure(f, 10);
      const large = await measure(f, 100);
      expect(large).toBe(small);
    }
  });
});
