import { ConnectionRow, ServiceRow } from '../db/entities';
import { backfillTenantHosts } from '../db/migrations/1764950000000-service-tenant-host';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(60_000);

// Issue 12 (item 4) and 14: a catalog OAuth service with a per-tenant host sends the workspace's client
// secret to its token endpoint on that host, so the host comes with the client, from an admin, never from a
// member's connection. Key and Basic services keep a host per connection (the credentials are the member's).

const SET = `mutation($i: SetServiceCredentialsInput!) { setServiceCredentials(input: $i) { subdomain needsSubdomain } }`;
const CREATE = 'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id linkName } }';
const SERVICE = 'query($s: String) { service(slug: $s) { needsSubdomain subdomain } }';
const client = (slug: string, subdomain?: string) => ({
  i: { slug, clientId: `${slug}-client`, clientSecret: `${slug}-secret-8d1f`, subdomain },
});

describe.each(databases())('tenant hosts of catalog services (%s)', (db) => {
  let t: TestServer;
  let admin: Auth;
  let member: { auth: Auth; userId: string };

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const fieldError = (r: GqlResult) => r.errors?.[0]?.extensions;
  const protocolOf = async (connectionId: string) => {
    const row = await t.server.ds
      .getRepository(ConnectionRow)
      .findOneOrFail({ where: { id: connectionId }, relations: { service: true } });
    return t.server.services.registry.protocolFor(row);
  };

  beforeAll(async () => {
    t = await startTestServer(db);
    admin = await t.adminAuth();
    member = await addMember(t, 'tenant-member@example.com');
  });
  afterAll(async () => t?.close());

  test('an OAuth service takes its host with the client; members cannot name one', async () => {
    expect(ok(await t.gql(SERVICE, { s: 'zendesk' }, member.auth)).service).toEqual({
      needsSubdomain: false,
      subdomain: null,
    });
    expect(fieldError(await t.gql(SET, client('zendesk'), admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'subdomain',
    });
    for (const host of ['localhost', '2130706433', 'evil.example/', 'a@b'])
      expect([host, fieldError(await t.gql(SET, client('zendesk', host), admin))]).toEqual([
        host,
        expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'subdomain' }),
      ]);
    expect(fieldError(await t.gql(SET, client('github', 'acme'), admin))).toMatchObject({
      field: 'subdomain',
    });

    expect(ok(await t.gql(SET, client('zendesk', 'acme'), admin)).setServiceCredentials).toEqual({
      subdomain: 'acme',
      needsSubdomain: false,
    });
    const picked = await t.gql(
      CREATE,
      { i: { name: 'Mine', service: 'zendesk', subdomain: 'evil' } },
      member.auth,
    );
    expect(fieldError(picked)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subdomain' });

    const c = ok(
      await t.gql(CREATE, { i: { name: 'Support', service: 'zendesk' } }, member.auth),
    ).createConnection;
    const { definition, client: oauthClient } = await protocolOf(c.id);
    expect(definition.accessTokenUrl).toBe('https://acme.zendesk.com/oauth/tokens');
    expect(definition.apiBaseUrls).toEqual(['https://acme.zendesk.com/api/']);
    expect(oauthClient?.clientId).toBe('zendesk-client');
    // A subdomain left on the connection row (from before) is not the host: the workspace's is.
    await t.server.ds.getRepository(ConnectionRow).update({ id: c.id }, { subdomain: 'evil' });
    expect((await protocolOf(c.id)).definition.accessTokenUrl).toBe('https://acme.zendesk.com/oauth/tokens');
  });

  test('an OAuth service whose host is not set says who sets it', async () => {
    const r = await t.gql(
      'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl } }',
      { i: { name: 'Okta', service: 'okta' } },
      member.auth,
    );
    expect(fieldError(r)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subdomain' });
    expect(r.errors![0]!.message).toContain('setServiceCredentials');
  });

  test('a key or Basic service keeps a host per connection', async () => {
    expect(ok(await t.gql(SERVICE, { s: 'freshdesk' }, member.auth)).service).toEqual({
      needsSubdomain: true,
      subdomain: null,
    });
    const c = ok(
      await t.gql(CREATE, { i: { name: 'Desk', service: 'freshdesk', subdomain: 'team-a' } }, member.auth),
    ).createConnection;
    expect((await protocolOf(c.id)).definition.apiBaseUrls).toEqual(['https://team-a.freshdesk.com/api/']);
  });

  test("the migration keeps a workspace's single subdomain, and none where connections disagree", async () => {
    ok(await t.gql(SET, client('okta', 'acme-okta'), admin));
    const repo = t.server.ds.getRepository(ConnectionRow);
    const made: string[] = [];
    for (const name of ['Okta one', 'Okta two', 'Okta three'])
      made.push(ok(await t.gql(CREATE, { i: { name, service: 'okta' } }, member.auth)).createConnection.id);
    // Before the migration each connection carried its own host; the admin's client had none.
    const zendesk = await t.server.ds.getRepository(ServiceRow).findOneByOrFail({ slug: 'zendesk' });
    await repo.update({ serviceId: zendesk.id }, { subdomain: 'legacy-zd' });
    await repo.update({ id: made[0]! }, { subdomain: 'one' });
    await repo.update({ id: made[1]! }, { subdomain: 'two' });
    await t.server.ds.getRepository(ServiceRow).update({ kind: 'DEFAULT' }, { subdomain: null });
    const q = t.server.ds.createQueryRunner();
    try {
      await backfillTenantHosts(q);
    } finally {
      await q.release();
    }
    const hosts = await t.server.ds.getRepository(ServiceRow).find({ where: { kind: 'DEFAULT' } });
    expect(Object.fromEntries(hosts.map((r) => [r.slug, r.subdomain]))).toMatchObject({
      zendesk: 'legacy-zd',
      okta: null,
      freshdesk: null,
    });
  });
});
