import { type Credentials } from '@connections/auth-flows';
import { Browser } from '@connections/auth-flows/test-support/browser';
import { startOidcServer, type OidcServer } from '@connections/auth-flows/test-support/oidc';
import { loadConfig } from '../config';
import { loadSecretBox } from '../crypto/keys';
import { createLogger } from '../logger';
import { type Auth, databases, startTestServer, type TestServer } from '../test-support/server';
import { openCredentials } from './credentials-store';

jest.setTimeout(120_000);

const CLIENT_SECRET = 'oidc-client-secret-of-the-manifest-suite';
const CATALOG_SECRET = 'github-client-secret-of-the-manifest-suite';
const API_KEY_A = 'search-api-key-on-server-a-0123456789';
const API_KEY_B = 'search-api-key-on-server-b-9876543210';

const CONNECTION = 'id linkName name scopes finished owner { id } authorization { id status }';
const RESULT = `previousVersion
  extension { id key version installed installedBy { email } connections { ${CONNECTION} } }
  toAuthorize { authorizeUrl attemptId connection { id linkName } }
  servicesToConfigure { id slug kind name hasClientSecret clientId }`;
const INSTALL_MANIFEST = `mutation($m: JSONObject!) { installExtension(manifest: $m) { ${RESULT} } }`;
const INSTALL_ID = `mutation($id: ID!) { installExtension(extensionId: $id) { ${RESULT} } }`;
const EXPORT = 'query($id: ID!) { exportExtension(id: $id) }';
const CONNECT = `mutation($id: ID!, $c: CredentialsInput) { connect(connectionId: $id, credentials: $c) {
  authorizeUrl authorization { id status } } }`;

describe.each(databases())('Extension manifests (%s)', (db) => {
  // Two deployments with their own databases: the manifest is the only thing that travels between them.
  let a: TestServer;
  let b: TestServer;
  let oidc: OidcServer;
  let adminA: Auth;
  let adminB: Auth;
  let extId: string;
  let exported: any;
  let installedOnB: any;

  const gqlOk = async (t: TestServer, query: string, variables: Record<string, unknown>, auth: Auth) => {
    const r = await t.gql(query, variables, auth);
    if (r.errors) throw new Error(r.raw);
    return r.data!;
  };
  const count = async (t: TestServer, table: string, where = '1 = 1') =>
    Number((await t.server.ds.query(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`))[0].n);
  const state = async (t: TestServer) => ({
    extensions: await count(t, 'extension'),
    services: await count(t, 'service'),
    connections: await count(t, 'connection'),
    authorizations: await count(t, 'authorization'),
    attempts: await count(t, 'authorization_attempt'),
  });
  const customService = async (t: TestServer, auth: Auth, i: Record<string, unknown>) =>
    (
      await gqlOk(
        t,
        'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id slug } }',
        { i },
        auth,
      )
    ).createCustomService as { id: string; slug: string };
  const oidcService = () => ({
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
  const follow = async (t: TestServer, auth: Auth, url: string) => {
    const browser = new Browser();
    browser.setCookie(t.url, auth.cookie!);
    expect((await browser.follow(url)).text).toContain('Connected');
  };
  /** The exported document with changes: a deep copy, so each test starts from what was exported. */
  const variant = (change: (m: any) => void) => {
    const m = structuredClone(exported);
    change(m);
    return m;
  };

  beforeAll(async () => {
    const env = { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' };
    [a, b] = await Promise.all([startTestServer(db, env), startTestServer(db, env)]);
    oidc = await startOidcServer([
      {
        client_id: 'connections',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${a.url}/oauth/callback`, `${b.url}/oauth/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    [adminA, adminB] = await Promise.all([a.adminAuth(), b.adminAuth()]);

    // Server A: an extension over a custom OAuth service (owner and login-user), a custom API-key service and
    // a catalog OAuth service whose client this workspace configured.
    const oidcA = await customService(a, adminA, oidcService());
    const searchA = await customService(a, adminA, {
      name: 'Search API',
      authType: 'API_KEY',
      paramType: 'HEADERS',
      apiKeyParamName: 'x-api-key',
      apiBaseUrls: ['https://search.example.test'],
    });
    await gqlOk(
      a,
      'mutation($i: SetServiceCredentialsInput!) { setServiceCredentials(input: $i) { id } }',
      { i: { slug: 'github', clientId: 'github-client-id', clientSecret: CATALOG_SECRET } },
      adminA,
    );
    const created = await gqlOk(
      a,
      'mutation($i: CreateExtensionInput!) { createExtension(input: $i) { id key version } }',
      {
        i: {
          name: 'Reporting',
          key: 'acme.reporting',
          description: 'Reports from the CRM and the search index',
          connections: [
            { name: 'CRM', linkName: 'crm', service: oidcA.slug },
            { name: 'Mail', linkName: 'mail', service: oidcA.slug, useLoginUserCredentials: true },
            { name: 'Search', linkName: 'search', service: searchA.slug },
            { name: 'Code host', linkName: 'hub', service: 'github' },
          ],
        },
      },
      adminA,
    );
    expect(created.createExtension).toMatchObject({ key: 'acme.reporting', version: '1.0.0' });
    extId = created.createExtension.id;
  });
  afterAll(async () => {
    await oidc?.stop();
    await Promise.all([a?.close(), b?.close()]);
  });

  test('export: a versioned document with services by catalog slug or embedded, and no secret', async () => {
    // Installed and authorized on A first, so that there are credentials the document could leak.
    const installed = (await gqlOk(a, INSTALL_ID, { id: extId }, adminA)).installExtension;
    const [crm, search] = installed.toAuthorize;
    await follow(a, adminA, crm.authorizeUrl);
    await gqlOk(a, CONNECT, { id: search.connection.id, c: { apiKey: API_KEY_A } }, adminA);
    const [stored] = await a.server.ds.query(
      `SELECT "id", "credentialsEncrypted" FROM "authorization" WHERE "connectionId" = '${crm.connection.id}'`,
    );
    const box = loadSecretBox(loadConfig(a.env), createLogger('silent'));
    const tokens = openCredentials(box, stored) as Extract<Credentials, { type: 'OAUTH2' }>;

    const r = await a.gql(EXPORT, { id: extId }, adminA);
    expect(r.errors).toBeUndefined();
    exported = r.data!.exportExtension;
    const oidcDefinition = {
      name: 'Local OIDC',
      authType: 'OAUTH2',
      paramType: 'HEADERS',
      authorizeUrl: oidc.authorizeUrl,
      accessTokenUrl: oidc.tokenUrl,
      revokeUrl: oidc.revokeUrl,
      profileUrl: oidc.userinfoUrl,
      scopes: ['openid', 'email'],
      scopeDelimiter: ' ',
      apiBaseUrls: [oidc.issuer],
      clientId: 'connections',
    };
    expect(exported).toEqual({
      format: 'connections.extension',
      formatVersion: 1,
      key: 'acme.reporting',
      name: 'Reporting',
      version: '1.0.0',
      description: 'Reports from the CRM and the search index',
      connections: [
        {
          name: 'CRM',
          linkName: 'crm',
          scopes: ['openid', 'email'],
          useLoginUserCredentials: false,
          service: { custom: oidcDefinition },
        },
        {
          name: 'Mail',
          linkName: 'mail',
          scopes: ['openid', 'email'],
          useLoginUserCredentials: true,
          service: { custom: oidcDefinition },
        },
        {
          name: 'Search',
          linkName: 'search',
          scopes: [],
          useLoginUserCredentials: false,
          service: {
            custom: {
              name: 'Search API',
              authType: 'API_KEY',
              paramType: 'HEADERS',
              scopes: [],
              scopeDelimiter: ' ',
              apiBaseUrls: ['https://search.example.test'],
              apiKeyParamName: 'x-api-key',
            },
          },
        },
        {
          name: 'Code host',
          linkName: 'hub',
          scopes: ['read:user', 'user:email'],
          useLoginUserCredentials: false,
          service: { catalog: 'github' },
        },
      ],
    });
    for (const secret of [CLIENT_SECRET, CATALOG_SECRET, API_KEY_A, tokens.accessToken, tokens.refreshToken])
      if (secret) expect(r.raw).not.toContain(secret);
    // Nor a field that could hold one.
    expect(r.raw).not.toMatch(/"\w*(secret|Secret|password|Password|token|Token|apiKey)"\s*:/);
  });

  test('install on a second, separate server: the installer owns everything; secrets are entered there', async () => {
    const before = await state(b);
    const r = await b.gql(INSTALL_MANIFEST, { m: exported }, adminB);
    expect(r.errors).toBeUndefined();
    installedOnB = r.data!.installExtension;
    const { extension, toAuthorize, servicesToConfigure, previousVersion } = installedOnB;
    const adminId = (await gqlOk(b, '{ viewer { user { id } } }', {}, adminB)).viewer.user.id;
    expect(previousVersion).toBeNull();
    expect(extension).toMatchObject({ key: 'acme.reporting', version: '1.0.0', installed: true });
    expect(extension.connections.map((c: any) => [c.linkName, c.owner.id, c.finished])).toEqual([
      ['crm', adminId, true],
      ['mail', adminId, true],
      ['search', adminId, true],
      ['hub', adminId, true],
    ]);
    // One custom service per distinct definition (CRM and Mail share theirs), none with a secret; the catalog
    // service gets its workspace row.
    expect(await count(b, 'service', `"kind" = 'CUSTOM'`)).toBe(2);
    expect(await count(b, 'service', `"kind" = 'CUSTOM' AND "clientSecretEncrypted" IS NOT NULL`)).toBe(0);
    expect((await state(b)).connections).toBe(before.connections + 4);
    // No OAuth client on B yet: nothing can start; the services to configure are named.
    expect(toAuthorize.map((x: any) => [x.connection.linkName, x.authorizeUrl])).toEqual([
      ['crm', null],
      ['search', null],
      ['hub', null],
    ]);
    expect(servicesToConfigure).toEqual([
      expect.objectContaining({
        kind: 'CUSTOM',
        name: 'Local OIDC',
        hasClientSecret: false,
        clientId: 'connections',
      }),
      expect.objectContaining({ kind: 'DEFAULT', slug: 'github', hasClientSecret: false }),
    ]);

    // An admin of B enters the client secret; the installer then authorizes as usual.
    const oidcB = servicesToConfigure[0];
    await gqlOk(
      b,
      'mutation($i: UpdateServiceInput!) { updateService(input: $i) { hasClientSecret } }',
      { i: { id: oidcB.id, clientSecret: CLIENT_SECRET } },
      adminB,
    );
    const crm = extension.connections[0];
    const started = await gqlOk(b, CONNECT, { id: crm.id }, adminB);
    await follow(b, adminB, started.connect.authorizeUrl);
    const search = extension.connections[2];
    await gqlOk(b, CONNECT, { id: search.id, c: { apiKey: API_KEY_B } }, adminB);
    const statuses = await gqlOk(
      b,
      `query($id: ID!) { extension(id: $id) { connections { ${CONNECTION} } } }`,
      {
        id: extension.id,
      },
      adminB,
    );
    expect(statuses.extension.connections.map((c: any) => c.authorization?.status ?? null)).toEqual([
      'CONNECTED',
      null,
      'CONNECTED',
      null,
    ]);

    // Events and audit entries of its connections carry the extension's id.
    const audit = await gqlOk(
      b,
      '{ auditEvents(filter: {action: "authorization."}, first: 100) { nodes { action connectionId metadata } } }',
      {},
      adminB,
    );
    const ours = new Set(extension.connections.map((c: any) => c.id));
    const entries = audit.auditEvents.nodes.filter((n: any) => ours.has(n.connectionId));
    expect(entries.map((n: any) => n.action).sort()).toEqual([
      'authorization.AUTHORIZED',
      'authorization.AUTHORIZED',
    ]);
    for (const n of entries) expect(n.metadata.extensionId).toBe(extension.id);
    const createdEntries = await gqlOk(
      b,
      '{ auditEvents(filter: {action: "connection.created"}, first: 100) { nodes { connectionId metadata } } }',
      {},
      adminB,
    );
    expect(
      createdEntries.auditEvents.nodes
        .filter((n: any) => ours.has(n.connectionId))
        .map((n: any) => n.metadata.extensionId),
    ).toEqual([extension.id, extension.id, extension.id, extension.id]);
    const events = await gqlOk(
      b,
      '{ authorizationEventsPage(first: 50) { nodes { connectionId extensionId } } }',
      {},
      adminB,
    );
    const extensionEvents = events.authorizationEventsPage.nodes.filter((e: any) => ours.has(e.connectionId));
    expect(extensionEvents.length).toBeGreaterThan(0);
    for (const e of extensionEvents) expect(e.extensionId).toBe(extension.id);
  });

  test('a custom service identical to one of the workspace is reused, with the client configured there', async () => {
    const services = await count(b, 'service');
    const other = variant((m) => {
      m.key = 'acme.other';
      m.name = 'Other';
      m.connections = [{ ...m.connections[0], linkName: 'crm_other' }];
    });
    const r = (await gqlOk(b, INSTALL_MANIFEST, { m: other }, adminB)).installExtension;
    expect(await count(b, 'service')).toBe(services);
    expect(r.servicesToConfigure).toEqual([]);
    expect(r.toAuthorize[0].authorizeUrl).toBe(`${b.url}/oauth/connect/${r.toAuthorize[0].attemptId}`);
  });

  test('a client-credentials service travels with its grant, token parameters and token endpoint auth', async () => {
    const machineSecret = 'machine-secret-of-the-manifest-suite';
    const machine = await customService(a, adminA, {
      name: 'Machine API',
      authType: 'OAUTH2',
      grantType: 'CLIENT_CREDENTIALS',
      accessTokenUrl: oidc.tokenUrl,
      clientId: 'machine',
      clientSecret: machineSecret,
      tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      tokenParams: { audience: 'https://machine.example.test/' },
      scopes: ['api:read'],
      apiBaseUrls: ['https://machine.example.test'],
    });
    const created = await gqlOk(
      a,
      'mutation($i: CreateExtensionInput!) { createExtension(input: $i) { id } }',
      {
        i: {
          name: 'Machine',
          key: 'acme.machine',
          connections: [{ name: 'Machine', linkName: 'machine', service: machine.slug }],
        },
      },
      adminA,
    );
    const r = await a.gql(EXPORT, { id: created.createExtension.id }, adminA);
    expect(r.errors).toBeUndefined();
    expect(r.raw).not.toContain(machineSecret);
    const doc = r.data!.exportExtension;
    // Only what differs from the defaults: no pkce (it does not apply to the grant).
    expect(doc.connections[0].service).toEqual({
      custom: {
        name: 'Machine API',
        authType: 'OAUTH2',
        paramType: 'HEADERS',
        accessTokenUrl: oidc.tokenUrl,
        scopes: ['api:read'],
        scopeDelimiter: ' ',
        apiBaseUrls: ['https://machine.example.test'],
        clientId: 'machine',
        grantType: 'CLIENT_CREDENTIALS',
        tokenParams: { audience: 'https://machine.example.test/' },
        tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      },
    });

    const installed = (await gqlOk(b, INSTALL_MANIFEST, { m: doc }, adminB)).installExtension;
    expect(installed.servicesToConfigure).toEqual([
      expect.objectContaining({
        kind: 'CUSTOM',
        name: 'Machine API',
        hasClientSecret: false,
        clientId: 'machine',
      }),
    ]);
    const SERVICE =
      'query($id: ID) { service(id: $id) { grantType tokenParams tokenEndpointAuthMethod pkce } }';
    const onB = await gqlOk(b, SERVICE, { id: installed.servicesToConfigure[0].id }, adminB);
    expect(onB.service).toEqual({
      grantType: 'CLIENT_CREDENTIALS',
      tokenParams: { audience: 'https://machine.example.test/' },
      tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      pkce: false,
    });

    // The same definition again is the same service; other token parameters are another one.
    const services = await count(b, 'service');
    const again = (key: string, linkName: string, custom: Record<string, unknown> = {}) => ({
      ...doc,
      key,
      name: key,
      connections: [
        {
          ...doc.connections[0],
          linkName,
          service: { custom: { ...doc.connections[0].service.custom, ...custom } },
        },
      ],
    });
    await gqlOk(b, INSTALL_MANIFEST, { m: again('acme.machine2', 'machine2') }, adminB);
    expect(await count(b, 'service')).toBe(services);
    const other = again('acme.machine3', 'machine3', {
      tokenParams: { audience: 'https://other.example.test/' },
    });
    await gqlOk(b, INSTALL_MANIFEST, { m: other }, adminB);
    expect(await count(b, 'service')).toBe(services + 1);

    // createCustomService's rules hold, named inside the document; nothing is written.
    const reserved = again('acme.machine4', 'machine4', { tokenParams: { grant_type: 'password' } });
    const refused = await b.gql(INSTALL_MANIFEST, { m: reserved }, adminB);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'manifest.connections.0.service.custom.tokenParams',
    });
    const withPkce = again('acme.machine5', 'machine5', { pkce: false });
    expect((await b.gql(INSTALL_MANIFEST, { m: withPkce }, adminB)).errors?.[0]?.extensions).toMatchObject({
      field: 'manifest.connections.0.service.custom.pkce',
    });
    expect(await count(b, 'service')).toBe(services + 1);
  });

  test('PKCE and the token endpoint auth method count when matching an identical service', async () => {
    const services = await count(b, 'service');
    const crm = exported.connections[0];
    const withCustom = (key: string, custom: Record<string, unknown>) => ({
      ...exported,
      key,
      name: key,
      connections: [
        {
          ...crm,
          linkName: key.replace('.', '_'),
          service: { custom: { ...crm.service.custom, ...custom } },
        },
      ],
    });
    await gqlOk(
      b,
      INSTALL_MANIFEST,
      { m: withCustom('acme.basic', { tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC' }) },
      adminB,
    );
    expect(await count(b, 'service')).toBe(services + 1);
    await gqlOk(b, INSTALL_MANIFEST, { m: withCustom('acme.nopkce', { pkce: false }) }, adminB);
    expect(await count(b, 'service')).toBe(services + 2);
    // pkce: true is the default, so the definition is the one installed first.
    await gqlOk(b, INSTALL_MANIFEST, { m: withCustom('acme.pkce', { pkce: true }) }, adminB);
    expect(await count(b, 'service')).toBe(services + 2);
  });
});
