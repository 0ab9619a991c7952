import { Browser } from '@connections/auth-flows/test-support/browser';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(120_000);

const CLIENT_SECRET = 'oidc-client-secret-of-the-upgrade-suite';
const API_KEY = 'search-key-kept-across-the-upgrade';

const CONNECTION = `id linkName name scopes owner { id } service { slug }
  authorization { id status missingScopes }`;
const RESULT = `previousVersion
  extension { id key version name connections { ${CONNECTION} } }
  toAuthorize { authorizeUrl attemptId connection { id linkName } }
  servicesToConfigure { slug }`;
const INSTALL = `mutation($m: JSONObject!) { installExtension(manifest: $m) { ${RESULT} } }`;
const CONNECT = `mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) {
  authorizeUrl authorization { id status } } }`;

function errorOf(r: GqlResult) {
  expect(r.errors).toHaveLength(1);
  return r.errors![0]!;
}

/** Hand-written manifests (what an author edits): v1, then v2 with every kind of change. */
function manifests(oidc: OidcServer) {
  const oidcService = {
    name: 'Local OIDC',
    authType: 'OAUTH2',
    authorizeUrl: oidc.authorizeUrl,
    accessTokenUrl: oidc.tokenUrl,
    profileUrl: oidc.userinfoUrl,
    clientId: 'connections',
    scopes: ['openid', 'email', 'profile'],
    apiBaseUrls: [oidc.issuer],
  };
  const search = {
    custom: {
      name: 'Search API',
      authType: 'API_KEY',
      apiKeyParamName: 'x-api-key',
      apiBaseUrls: ['https://search.example.test'],
    },
  };
  const v1 = {
    format: 'connections.extension',
    formatVersion: 1,
    key: 'acme.sync',
    name: 'Sync',
    version: '1.0.0',
    connections: [
      { name: 'CRM', linkName: 'sync_crm', scopes: ['openid'], service: { custom: oidcService } },
      { name: 'Search', linkName: 'sync_search', service: search },
      {
        name: 'Mail',
        linkName: 'sync_mail',
        useLoginUserCredentials: true,
        service: { custom: oidcService },
      },
      { name: 'Code', linkName: 'sync_code', service: { catalog: 'openai' } },
    ],
  };
  const v2 = structuredClone(v1) as any;
  v2.version = '1.1.0';
  v2.name = 'Sync 2';
  v2.connections = [
    // Scopes added: kept, re-authorization asked.
    { ...v1.connections[0], name: 'CRM (renamed)', scopes: ['openid', 'email'] },
    // Unchanged: its authorization stays as it is.
    v1.connections[1],
    // sync_mail dropped; sync_code moves to another service (replaced).
    {
      name: 'Code',
      linkName: 'sync_code',
      service: {
        custom: { name: 'Code host', authType: 'BASIC', apiBaseUrls: ['https://code.example.test'] },
      },
    },
    // New.
    { name: 'Notes', linkName: 'sync_notes', service: { catalog: 'openai' } },
  ];
  return { v1, v2 };
}

describe.each(databases())('Extension upgrades and manifest checks (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let admin: Auth;
  let member: Auth;
  let v1: any;
  let v2: any;

  const count = async (table: string, where = '1 = 1') =>
    Number((await t.server.ds.query(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`))[0].n);
  const state = async () => ({
    extensions: await count('extension'),
    services: await count('service'),
    connections: await count('connection'),
    authorizations: await count('authorization'),
    attempts: await count('authorization_attempt'),
    audit: await count('audit_event'),
  });
  const install = (m: unknown, auth: Auth = admin) => t.gql(INSTALL, { m }, auth);
  const byLink = (ext: any) => Object.fromEntries(ext.connections.map((c: any) => [c.linkName, c]));

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
    member = (await addMember(t, `member-${db}@example.com`)).auth;
    ({ v1, v2 } = manifests(oidc));
  });
  afterAll(async () => {
    await oidc?.stop();
    await t?.close();
  });

  test('an upgrade keeps authorizations whose service and scopes did not change, and applies the rest', async () => {
    const first = await install(v1);
    expect(first.errors).toBeUndefined();
    const installed = first.data!.installExtension;
    expect(installed.servicesToConfigure).toEqual([{ slug: 'local-oidc' }]);
    const c1 = byLink(installed.extension);
    // The OAuth client secret is entered here; then the owner-credential connections are authorized.
    const [oidcService] = await t.server.ds.query(`SELECT "id" FROM "service" WHERE "slug" = 'local-oidc'`);
    const secret = await t.gql(
      'mutation($i: UpdateServiceInput!) { updateService(input: $i) { hasClientSecret } }',
      { i: { id: oidcService.id, clientSecret: CLIENT_SECRET } },
      admin,
    );
    expect(secret.errors).toBeUndefined();
    const crm = await t.gql(CONNECT, { id: c1.sync_crm.id }, admin);
    const browser = new Browser();
    browser.setCookie(t.url, admin.cookie!);
    expect((await browser.follow(crm.data!.connect.authorizeUrl)).text).toContain('Connected');
    const search = await t.gql(CONNECT, { id: c1.sync_search.id, c: { apiKey: API_KEY } }, admin);
    expect(search.data!.connect.authorization.status).toBe('CONNECTED');
    const sealed = async (connectionId: string) =>
      (
        await t.server.ds.query(
          `SELECT "id", "credentialsEncrypted" FROM "authorization" WHERE "connectionId" = '${connectionId}'`,
        )
      )[0];
    const searchBefore = await sealed(c1.sync_search.id);
    const crmBefore = await sealed(c1.sync_crm.id);

    const r = await install(v2);
    expect(r.errors).toBeUndefined();
    const up = r.data!.installExtension;
    expect(up.previousVersion).toBe('1.0.0');
    expect(up.extension).toMatchObject({ id: installed.extension.id, version: '1.1.0', name: 'Sync 2' });
    const c2 = byLink(up.extension);
    expect(Object.keys(c2).sort()).toEqual(['sync_code', 'sync_crm', 'sync_notes', 'sync_search']);
    // Unchanged: the same connection and the same authorization, credentials untouched.
    expect(c2.sync_search.id).toBe(c1.sync_search.id);
    expect(c2.sync_search.authorization).toMatchObject({ id: searchBefore.id, status: 'CONNECTED' });
    expect(await sealed(c1.sync_search.id)).toEqual(searchBefore);
    // Scopes added: updated in place, the old grant kept (and working) while the gap shows; a new flow asked.
    expect(c2.sync_crm).toMatchObject({
      id: c1.sync_crm.id,
      name: 'CRM (renamed)',
      scopes: ['openid', 'email'],
    });
    expect(c2.sync_crm.authorization).toMatchObject({ id: crmBefore.id, status: 'CONNECTED' });
    expect(c2.sync_crm.authorization.missingScopes).toEqual(['email']);
    expect(await sealed(c1.sync_crm.id)).toEqual(crmBefore);
    // Another service: a new connection under the same link name; dropped: deleted.
    expect(c2.sync_code.id).not.toBe(c1.sync_code.id);
    expect(c2.sync_code.service.slug).toBe('code-host');
    expect(await count('connection', `"id" IN ('${c1.sync_code.id}', '${c1.sync_mail.id}')`)).toBe(0);
    expect(up.toAuthorize.map((x: any) => [x.connection.linkName, !!x.authorizeUrl])).toEqual([
      ['sync_crm', true],
      ['sync_code', false],
      ['sync_notes', false],
    ]);
    const audit = await t.gql(
      '{ auditEvents(filter: {action: "extension.upgraded"}) { nodes { metadata } } }',
      {},
      admin,
    );
    expect(audit.data!.auditEvents.nodes[0].metadata).toMatchObject({
      from: '1.0.0',
      to: '1.1.0',
      created: 2,
      updated: 1,
      removed: 2,
      extensionId: installed.extension.id,
    });

    // The same version again, or an older one: refused, nothing changes.
    const before = await state();
    for (const version of ['1.1.0', '1.0.5', '1.1.0+rebuild']) {
      const again = errorOf(await install({ ...v2, version }));
      expect(again.extensions).toMatchObject({ code: 'CONFLICT', field: 'manifest.version' });
      expect(again.message).toContain('1.1.0');
    }
    expect(await state()).toEqual(before);
  });

  test('an upgrade that fails part-way leaves everything as it was', async () => {
    // A link name that another connection of the workspace uses, behind a new custom service and a removal.
    const clash = await t.gql(
      'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
      { i: { name: 'Taken', linkName: 'taken_name', service: 'openai' } },
      admin,
    );
    expect(clash.errors).toBeUndefined();
    const v3 = structuredClone(v2);
    v3.version = '2.0.0';
    v3.connections.splice(1, 1);
    v3.connections.push({
      name: 'Clash',
      linkName: 'taken_name',
      service: {
        custom: {
          name: 'Brand new',
          authType: 'API_KEY',
          apiKeyParamName: 'k',
          apiBaseUrls: ['https://n.example.test'],
        },
      },
    });
    const before = await state();
    const versionBefore = await t.server.ds.query(
      `SELECT "version", "name" FROM "extension" WHERE "key" = 'acme.sync'`,
    );
    const r = await install(v3);
    expect(errorOf(r).extensions).toMatchObject({
      code: 'CONFLICT',
      field: 'manifest.connections.3.linkName',
      linkNames: ['taken_name'],
    });
    expect(await state()).toEqual(before);
    expect(
      await t.server.ds.query(`SELECT "version", "name" FROM "extension" WHERE "key" = 'acme.sync'`),
    ).toEqual(versionBefore);
    expect(await count('service', `"name" = 'Brand new'`)).toBe(0);
    expect(await count('connection', `"linkName" = 'sync_search'`)).toBe(1);
  });

  const bad: [string, (m: any) => void, string][] = [
    ['not a manifest', (m) => (m.format = 'something.else'), 'manifest.format'],
    ['a newer document format', (m) => (m.formatVersion = 2), 'manifest.formatVersion'],
    ['a version that is not semver', (m) => (m.version = 'v2'), 'manifest.version'],
    ['a key with upper case', (m) => (m.key = 'Acme'), 'manifest.key'],
    ['no connections', (m) => (m.connections = []), 'manifest.connections'],
    ['an unknown top-level field', (m) => (m.secrets = {}), 'manifest.secrets'],
    ['a bad link name', (m) => (m.connections[1].linkName = 'Bad-Name'), 'manifest.connections.1.linkName'],
    [
      'a duplicate link name',
      (m) => (m.connections[3].linkName = m.connections[0].linkName),
      'manifest.connections.3.linkName',
    ],
    [
      'an unknown catalog service',
      (m) => (m.connections[3].service = { catalog: 'nope' }),
      'manifest.connections.3.service.catalog',
    ],
    [
      'both catalog and custom',
      (m) => (m.connections[3].service.custom = m.connections[1].service.custom),
      'manifest.connections.3.service',
    ],
    [
      'a misnamed custom field',
      (m) => (m.connections[0].service.custom.tokenUrl = 'https://x.example.test/token'),
      'manifest.connections.0.service.custom.tokenUrl',
    ],
    [
      'a client secret',
      (m) => (m.connections[0].service.custom.clientSecret = 'oops'),
      'manifest.connections.0.service.custom.clientSecret',
    ],
    [
      'an invalid token URL',
      // A copy: structuredClone keeps the definition that CRM and Mail share shared.
      (m) =>
        (m.connections[2].service = {
          custom: { ...m.connections[2].service.custom, accessTokenUrl: 'not a url' },
        }),
      'manifest.connections.2.service.custom.accessTokenUrl',
    ],
    [
      'an invalid API base URL',
      (m) => (m.connections[1].service.custom.apiBaseUrls = ['https://ok.example.test', 'ftp://x']),
      'manifest.connections.1.service.custom.apiBaseUrls.1',
    ],
    [
      'an unknown auth type',
      (m) => (m.connections[1].service.custom.authType = 'SAML'),
      'manifest.connections.1.service.custom.authType',
    ],
    [
      'a scope with white space',
      (m) => (m.connections[0].scopes = ['openid', 'a b']),
      'manifest.connections.0.scopes',
    ],
    ['a name too long', (m) => (m.connections[2].name = 'x'.repeat(51)), 'manifest.connections.2.name'],
    [
      'credentials mode not a boolean',
      (m) => (m.connections[2].useLoginUserCredentials = 'yes'),
      'manifest.connections.2.useLoginUserCredentials',
    ],
  ];
  test.each(bad.map(([label, change, field]) => [label, field, change] as const))(
    '%s is BAD_USER_INPUT on %s',
    async (_label, field, change) => {
      const doc = structuredClone(v1);
      doc.key = 'acme.checked';
      doc.name = 'Checked';
      change(doc);
      const before = await state();
      const e = errorOf(await install(doc));
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(e.message.startsWith(`${field}: `)).toBe(true);
      expect(await state()).toEqual(before);
    },
  );

  test('exactly one of extensionId and manifest; members can neither export nor install', async () => {
    const [ext] = await t.server.ds.query(`SELECT "id" FROM "extension" WHERE "key" = 'acme.sync'`);
    const before = await state();
    const both = await t.gql(
      'mutation($id: ID, $m: JSONObject) { installExtension(extensionId: $id, manifest: $m) { previousVersion } }',
      { id: ext.id, m: v1 },
      admin,
    );
    expect(errorOf(both).extensions?.code).toBe('BAD_USER_INPUT');
    const none = await t.gql('mutation { installExtension { previousVersion } }', {}, admin);
    expect(errorOf(none).extensions?.code).toBe('BAD_USER_INPUT');
    expect(errorOf(await install({ ...v1, key: 'acme.member' }, member)).extensions?.code).toBe('FORBIDDEN');
    const exported = await t.gql('query($id: ID!) { exportExtension(id: $id) }', { id: ext.id }, member);
    expect(errorOf(exported).extensions?.code).toBe('FORBIDDEN');
    expect(exported.raw).not.toContain('sync_crm');
    expect(await state()).toEqual(before);
  });

  test('uninstalled, the same version installs again; the export round-trips', async () => {
    const [ext] = await t.server.ds.query(`SELECT "id" FROM "extension" WHERE "key" = 'acme.sync'`);
    const out = await t.gql(
      'mutation($id: ID!) { uninstallExtension(extensionId: $id) { installed } }',
      { id: ext.id },
      admin,
    );
    expect(out.errors).toBeUndefined();
    const doc = (await t.gql('query($id: ID!) { exportExtension(id: $id) }', { id: ext.id }, admin)).data!
      .exportExtension;
    expect(doc).toMatchObject({ key: 'acme.sync', version: '1.1.0', name: 'Sync 2' });
    const services = await count('service');
    const again = await install(doc);
    expect(again.errors).toBeUndefined();
    expect(again.data!.installExtension).toMatchObject({
      previousVersion: null,
      extension: { id: ext.id, version: '1.1.0' },
    });
    // Its custom services are this workspace's own: matched, not created again.
    expect(await count('service')).toBe(services);
    expect(await count('extension', `"key" = 'acme.sync'`)).toBe(1);
  });
});
