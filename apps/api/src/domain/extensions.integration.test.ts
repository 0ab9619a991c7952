import { catalog, type Credentials } from '@connections/auth-flows';
import { Browser } from '@connections/auth-flows/test-support/browser';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import { loadConfig } from '../config';
import { loadSecretBox } from '../crypto/keys';
import { createLogger } from '../logger';
import { subscribeEvents } from '../test-support/events';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  seedWorkspaceWithUser,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { openCredentials } from './credentials-store';

jest.setTimeout(90_000);

const CLIENT_SECRET = 'oidc-client-secret-for-extensions';
const CONNECTION =
  'id linkName status useLoginUserCredentials owner { id email } authorization { status principal { email } }';
const EXTENSION = `id name installed installedBy { email } connectionDefinitions { name linkName service scopes useLoginUserCredentials }
  connections { ${CONNECTION} }`;
const CREATE = `mutation($i: CreateExtensionInput!) { createExtension(input: $i) { ${EXTENSION} } }`;
const INSTALL = `mutation($id: ID!) { installExtension(extensionId: $id) {
  extension { ${EXTENSION} } toAuthorize { attemptId authorizeUrl connection { ${CONNECTION} } authorization { status } } } }`;
const UNINSTALL = `mutation($id: ID!) { uninstallExtension(extensionId: $id) { ${EXTENSION} } }`;
const LIST = `{ extensions { ${EXTENSION} } }`;

function errorOf(r: GqlResult) {
  expect(r.errors).toHaveLength(1);
  return r.errors![0]!;
}

describe.each(databases())('Extensions (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let admin: Auth;
  let adminToken: string;
  let installer: { auth: Auth; userId: string };
  let member: { auth: Auth; userId: string };
  let oidcSlug: string;
  let keySlug: string;

  const count = async (table: string, where = '1 = 1') =>
    Number((await t.server.ds.query(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`))[0].n);
  const totals = async () => ({
    connections: await count('connection'),
    authorizations: await count('authorization'),
    attempts: await count('authorization_attempt'),
  });

  /** An OAuth owner-credential connection, a login-user one and an API_KEY one, link names prefixed. */
  const definitions = (p: string) => [
    { name: 'CRM', linkName: `${p}_crm`, service: oidcSlug },
    { name: 'Mail per user', linkName: `${p}_mail`, service: oidcSlug, useLoginUserCredentials: true },
    { name: 'Search key', linkName: `${p}_search`, service: keySlug },
  ];
  const createExtension = async (p: string, connections: unknown[] = definitions(p)) => {
    const r = await t.gql(CREATE, { i: { name: `Ext ${p}`, connections } }, admin);
    if (r.errors) throw new Error(`createExtension failed: ${r.raw}`);
    return r.data!.createExtension;
  };
  const install = (id: string, auth: Auth) => t.gql(INSTALL, { id }, auth);

  beforeAll(async () => {
    // The provider runs on loopback: revocations go through the network policy, so private addresses are let
    // through for this suite (invocations-guard tests the refusal).
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
    adminToken = (await t.gql('mutation { createApiToken(input: {name: "ext"}) { token } }', {}, admin)).data!
      .createApiToken.token;
    const service = async (i: Record<string, unknown>) => {
      const r = await t.gql(
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
        { i },
        admin,
      );
      if (r.errors) throw new Error(r.raw);
      return r.data!.createCustomService.slug as string;
    };
    oidcSlug = await service({
      name: 'Local OIDC',
      authType: 'OAUTH2',
      authorizeUrl: oidc.authorizeUrl,
      accessTokenUrl: oidc.tokenUrl,
      revokeUrl: oidc.revokeUrl,
      profileUrl: oidc.userinfoUrl,
      clientId: 'connections',
      clientSecret: CLIENT_SECRET,
      scopes: ['openid', 'email'],
      apiBaseUrls: [oidc.issuer],
    });
    keySlug = await service({
      name: 'Search API',
      authType: 'API_KEY',
      paramType: 'HEADERS',
      apiKeyParamName: 'x-api-key',
      apiBaseUrls: ['https://search.example.test'],
    });
    installer = await addMember(t, `installer-${db}@example.com`, 'ADMIN');
    member = await addMember(t, `member-${db}@example.com`);
  });
  afterAll(async () => {
    await oidc?.stop();
    await t?.close();
  });

  test('installing as a second admin makes that admin the owner; the authorize URL connects the OAuth one', async () => {
    const ext = await createExtension('own');
    expect(ext).toMatchObject({ installed: false, installedBy: null, connections: [] });
    expect(ext.connectionDefinitions[0]).toEqual({
      name: 'CRM',
      linkName: 'own_crm',
      service: oidcSlug,
      scopes: ['openid', 'email'],
      useLoginUserCredentials: false,
    });

    const r = await install(ext.id, installer.auth);
    expect(r.errors).toBeUndefined();
    const { extension, toAuthorize } = r.data!.installExtension;
    const email = `installer-${db}@example.com`;
    expect(extension).toMatchObject({ installed: true, installedBy: { email } });
    // Every connection belongs to the installer, not to the admin who created the extension.
    expect(extension.connections.map((c: any) => [c.linkName, c.owner.id, c.status])).toEqual([
      ['own_crm', installer.userId, 'PENDING'],
      ['own_mail', installer.userId, 'NOT_CONNECTED'],
      ['own_search', installer.userId, 'NOT_CONNECTED'],
    ]);
    expect(
      await count('connection', `"extensionId" = '${ext.id}' AND "ownerId" <> '${installer.userId}'`),
    ).toBe(0);
    // One authorize URL per OAuth owner-credential connection; the API_KEY one waits for its key.
    expect(toAuthorize).toHaveLength(2);
    const [crm, search] = toAuthorize;
    expect(crm.connection).toMatchObject({ linkName: 'own_crm', status: 'PENDING' });
    expect(crm.authorization).toEqual({ status: 'PENDING' });
    expect(crm.connection.authorization.principal.email).toBe(email);
    expect(crm.authorizeUrl).toBe(`${t.url}/oauth/connect/${crm.attemptId}`);
    expect(search).toMatchObject({ authorizeUrl: null, attemptId: null, authorization: null });
    expect(search.connection).toMatchObject({ linkName: 'own_search', status: 'NOT_CONNECTED' });

    const browser = new Browser();
    browser.setCookie(t.url, installer.auth.cookie!);
    expect((await browser.follow(crm.authorizeUrl)).text).toContain('Connected');
    const after = await t.gql(
      `query($id: ID) { connection(id: $id) { ${CONNECTION} } }`,
      { id: crm.connection.id },
      installer.auth,
    );
    expect(after.data!.connection).toMatchObject({ status: 'CONNECTED', owner: { email } });

    // A login-user connection is authorized by each user on their own.
    const mail = extension.connections[1];
    const mine = await t.gql(
      'mutation($id: ID!) { connect(connectionId: $id) { authorizeUrl authorization { principal { email } } } }',
      { id: mail.id },
      member.auth,
    );
    expect(mine.data!.connect.authorization.principal.email).toBe(`member-${db}@example.com`);
    const memberBrowser = new Browser();
    memberBrowser.setCookie(t.url, member.auth.cookie!);
    expect((await memberBrowser.follow(mine.data!.connect.authorizeUrl)).text).toContain('Connected');
    const statusFor = async (auth: Auth) =>
      (await t.gql('query($id: ID) { connection(id: $id) { status } }', { id: mail.id }, auth)).data!
        .connection.status;
    expect(await statusFor(member.auth)).toBe('CONNECTED');
    expect(await statusFor(installer.auth)).toBe('NOT_CONNECTED');

    const audit = await t.gql(
      '{ auditEvents(filter: {action: "extension."}) { nodes { action } } }',
      {},
      admin,
    );
    expect(audit.data!.auditEvents.nodes.map((n: any) => n.action)).toEqual(
      expect.arrayContaining(['extension.created', 'extension.installed']),
    );
    expect(audit.raw).not.toContain(CLIENT_SECRET);
  });

  test('a member cannot create or install; installing twice is a CONFLICT that creates nothing', async () => {
    const ext = await createExtension('twice');
    const before = await totals();
    expect(errorOf(await install(ext.id, member.auth)).extensions?.code).toBe('FORBIDDEN');
    const byMember = await t.gql(
      CREATE,
      { i: { name: 'Mine', connections: definitions('mine') } },
      member.auth,
    );
    expect(errorOf(byMember).extensions?.code).toBe('FORBIDDEN');
    expect(await totals()).toEqual(before);

    // An API-token client gets URLs with a one-time code, for a browser that has no session.
    const first = await install(ext.id, { token: adminToken });
    expect(first.data!.installExtension.toAuthorize[0].authorizeUrl).toMatch(
      /\/oauth\/connect\/[^?]+\?code=/,
    );
    const installed = await totals();
    expect(installed.connections).toBe(before.connections + 3);
    expect(installed.attempts).toBe(before.attempts + 1);
    const again = await install(ext.id, admin);
    expect(errorOf(again).extensions?.code).toBe('CONFLICT');
    expect(await totals()).toEqual(installed);
  });

  test('a link name already used in the workspace: CONFLICT and none of its connections is created', async () => {
    const clash = await t.gql(
      'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
      { i: { name: 'Existing', linkName: 'clash_search', service: keySlug } },
      admin,
    );
    const ext = await createExtension('clash');
    const before = await totals();
    const r = await install(ext.id, installer.auth);
    expect(errorOf(r).extensions).toMatchObject({
      code: 'CONFLICT',
      field: 'connections[2].linkName',
      linkNames: ['clash_search'],
    });
    expect(await totals()).toEqual(before);
    expect(await count('connection', `"extensionId" = '${ext.id}'`)).toBe(0);
    expect(await count('audit_event', `"action" = 'extension.installed' AND "targetId" = '${ext.id}'`)).toBe(
      0,
    );
    const state = await t.gql('query($id: ID!) { extension(id: $id) { installed } }', { id: ext.id }, admin);
    expect(state.data!.extension.installed).toBe(false);

    // Once the clash is gone the same extension installs: the refused attempt left no claim behind.
    await t.gql(
      'mutation($id: ID!) { deleteConnection(id: $id) }',
      { id: clash.data!.createConnection.id },
      admin,
    );
    expect((await install(ext.id, installer.auth)).errors).toBeUndefined();
    expect(await count('connection', `"extensionId" = '${ext.id}'`)).toBe(3);
  });

  test('a failure after some connections were written rolls the whole install back', async () => {
    // The OAuth connection comes last and its service has lost its client secret: the connections written
    // before it in the same transaction must go too.
    const noClient = await t.gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id slug } }',
      {
        i: {
          name: 'OIDC without client',
          authType: 'OAUTH2',
          authorizeUrl: oidc.authorizeUrl,
          accessTokenUrl: oidc.tokenUrl,
          clientId: 'connections',
          clientSecret: CLIENT_SECRET,
          apiBaseUrls: [oidc.issuer],
        },
      },
      admin,
    );
    const service = noClient.data!.createCustomService;
    const [crm, mail, search] = definitions('half');
    const ext = await createExtension('half', [search, mail, { ...crm, service: service.slug }]);
    await t.gql(
      'mutation($i: UpdateServiceInput!) { updateService(input: $i) { hasClientSecret } }',
      { i: { id: service.id, clientSecret: null } },
      admin,
    );
    const before = await totals();
    const r = await install(ext.id, installer.auth);
    expect(errorOf(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'connections[2].service' });
    expect(await totals()).toEqual(before);
    expect(await count('audit_event', `"action" = 'connection.created' AND "message" LIKE '%half_%'`)).toBe(
      0,
    );
  });

  // A service whose connections each name their host (key or Basic): an install cannot ask for one.
  const subdomainService = () =>
    catalog.find((e) => e.subdomain && (e.authType === 'API_KEY' || e.authType === 'BASIC'))!.slug;
  test.each([
    [
      'a link name that is not [a-z0-9_]',
      'connections[1].linkName',
      (d: any[]) => (d[1].linkName = 'Bad-Name'),
    ],
    ['a duplicate link name', 'connections[2].linkName', (d: any[]) => (d[2].linkName = d[0].linkName)],
    [
      'two names deriving the same link name',
      'connections[1].linkName',
      (d: any[]) => {
        delete d[0].linkName;
        delete d[1].linkName;
        d[1].name = d[0].name;
      },
    ],
    ['an unknown service', 'connections[0].service', (d: any[]) => (d[0].service = 'no-such-service')],
    [
      'a service that needs a subdomain',
      'connections[0].service',
      (d: any[]) => (d[0].service = subdomainService()),
    ],
    ['a scope with white space', 'connections[2].scopes', (d: any[]) => (d[2].scopes = ['read', 'wri te'])],
    ['a blank name', 'connections[1].name', (d: any[]) => (d[1].name = '   ')],
    ['an empty name', 'connections[0].name', (d: any[]) => (d[0].name = '')],
    ['no connections', 'connections', (d: any[]) => d.splice(0)],
  ])('%s is BAD_USER_INPUT on %s', async (_label, field, change) => {
    const connections = definitions('bad');
    change(connections);
    const before = await count('extension');
    const r = await t.gql(CREATE, { i: { name: 'Invalid', connections } }, admin);
    expect(r.data).toBeNull();
    expect(errorOf(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(errorOf(r).message).toContain(field);
    expect(await count('extension')).toBe(before);
  });

  test('an extension name is unique in the workspace', async () => {
    await createExtension('dupname');
    const r = await t.gql(CREATE, { i: { name: 'Ext dupname', connections: definitions('x') } }, admin);
    expect(errorOf(r).extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
  });

  test('uninstall revokes at the provider, deletes the connections and emits DELETED', async () => {
    const ext = await createExtension('gone');
    const r = await install(ext.id, installer.auth);
    const crm = r.data!.installExtension.toAuthorize[0];
    const browser = new Browser();
    browser.setCookie(t.url, installer.auth.cookie!);
    await browser.follow(crm.authorizeUrl);
    const [stored] = await t.server.ds.query(
      `SELECT "id", "credentialsEncrypted" FROM "authorization" WHERE "connectionId" = '${crm.connection.id}'`,
    );
    const box = loadSecretBox(loadConfig(t.env), createLogger('silent'));
    const creds = openCredentials(box, stored) as Extract<Credentials, { type: 'OAUTH2' }>;
    const userinfo = () =>
      fetch(oidc.userinfoUrl, { headers: { authorization: `Bearer ${creds.accessToken}` } }).then(
        (x) => x.status,
      );
    expect(await userinfo()).toBe(200);

    const ws = t.ws({ token: adminToken });
    const log = await subscribeEvents(ws);
    const ids = r.data!.installExtension.extension.connections.map((c: any) => c.id);
    const out = await t.gql(UNINSTALL, { id: ext.id }, installer.auth);
    expect(out.data!.uninstallExtension).toMatchObject({
      installed: false,
      installedBy: null,
      connections: [],
    });
    for (const id of ids) await log.waitFor((e) => e.type === 'DELETED' && e.connectionId === id);
    expect(await userinfo()).toBe(401);
    const inList = `(${ids.map((id: string) => `'${id}'`).join(',')})`;
    expect(await count('connection', `"id" IN ${inList}`)).toBe(0);
    expect(await count('authorization', `"connectionId" IN ${inList}`)).toBe(0);
    expect(await count('authorization_attempt', `"connectionId" IN ${inList}`)).toBe(0);
    expect(
      await count('audit_event', `"action" = 'authorization.DELETED' AND "connectionId" IN ${inList}`),
    ).toBe(3);
    expect(
      await count('audit_event', `"action" = 'extension.uninstalled' AND "targetId" = '${ext.id}'`),
    ).toBe(1);
    expect(errorOf(await t.gql(UNINSTALL, { id: ext.id }, installer.auth)).extensions?.code).toBe('CONFLICT');
    expect(errorOf(await t.gql(UNINSTALL, { id: ext.id }, member.auth)).extensions?.code).toBe('FORBIDDEN');
    log.stop();
    await ws.dispose();
  });

  test('extensions lists installed state and the connections each viewer may see', async () => {
    const installed = await createExtension('seen');
    const idle = await createExtension('idle');
    await install(installed.id, installer.auth);
    const byId = (list: any[], id: string) => list.find((e) => e.id === id);

    const asAdmin = (await t.gql(LIST, {}, admin)).data!.extensions;
    expect(byId(asAdmin, installed.id)).toMatchObject({
      installed: true,
      installedBy: { email: `installer-${db}@example.com` },
    });
    expect(byId(asAdmin, installed.id).connections.map((c: any) => c.linkName)).toEqual([
      'seen_crm',
      'seen_mail',
      'seen_search',
    ]);
    expect(byId(asAdmin, idle.id)).toMatchObject({ installed: false, installedBy: null, connections: [] });
    // A member sees every one of them: the login-user connection to connect, and the installer's
    // owner-credential ones to use with the installer's authorization (unrestricted, as the seed describes).
    const asMember = (await t.gql(LIST, {}, member.auth)).data!.extensions;
    expect(byId(asMember, installed.id).connections.map((c: any) => c.linkName)).toEqual([
      'seen_crm',
      'seen_mail',
      'seen_search',
    ]);
    expect(byId(asMember, installed.id).connectionDefinitions).toHaveLength(3);
  });

  test('another workspace sees no extension and cannot install or uninstall one', async () => {
    const ext = await createExtension('tenant');
    const email = `outsider-${db}@example.com`;
    await seedWorkspaceWithUser(t, { email, password: 'outsider-password-1', role: 'ADMIN' });
    const outsider = await t.signIn(email, 'outsider-password-1');
    expect((await t.gql(LIST, {}, outsider)).data!.extensions).toEqual([]);
    const before = await totals();
    const one = await t.gql('query($id: ID!) { extension(id: $id) { id } }', { id: ext.id }, outsider);
    expect(errorOf(one).extensions?.code).toBe('NOT_FOUND');
    expect(errorOf(await install(ext.id, outsider)).extensions?.code).toBe('NOT_FOUND');
    expect(errorOf(await t.gql(UNINSTALL, { id: ext.id }, outsider)).extensions?.code).toBe('NOT_FOUND');
    expect(await totals()).toEqual(before);
  });
});
