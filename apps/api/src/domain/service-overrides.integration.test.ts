import { findCatalogEntry } from '@connections/auth-flows';
import { AuthorizationRow } from '../db/entities';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  seedWorkspaceWithUser,
  startTestServer,
  type TestServer,
} from '../test-support/server';
import { startUpstream, type Upstream } from '../test-support/upstream';

jest.setTimeout(60_000);

// Issue 14: an admin points a catalog service at a regional or self-hosted variant for the workspace. The
// override is read where every call reads the service (the registry), so the credential test, invokeUrl and
// /proxy all follow it, under the host rules custom services obey.

const SERVICE = 'id slug apiBaseUrls apiBaseUrlsOverridden catalogApiBaseUrls';
const SET = `mutation($i: SetServiceApiBaseUrlsInput!) { setServiceApiBaseUrls(input: $i) { ${SERVICE} } }`;
const API_KEY = 'sk-override-5e1d7c';
// OpenAI: a bearer key, and a relative test request (v1/models) that follows the base URL.
const SLUG = 'openai';

describe.each(databases())('catalog API base URL overrides (%s)', (db) => {
  let t: TestServer;
  let regional: Upstream;
  let other: Upstream;
  let admin: Auth;
  let member: { auth: Auth; userId: string };
  let token: string;

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const invoke = (url: string) =>
    t.gql(
      'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }',
      { i: { connection: 'regional_ai', url } },
      member.auth,
    );
  const service = async () =>
    ok(await t.gql(`query($s: String) { service(slug: $s) { ${SERVICE} } }`, { s: SLUG }, member.auth))
      .service;

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    const echo = (name: string) => (req: { url?: string }, res: import('node:http').ServerResponse) =>
      void res
        .setHeader('content-type', 'application/json')
        .end(JSON.stringify({ host: name, path: req.url }));
    regional = await startUpstream(echo('regional'));
    other = await startUpstream(echo('other'));
    admin = await t.adminAuth();
    member = await addMember(t, 'override-member@example.com');
    token = ok(await t.gql('mutation { createApiToken(input: {name: "ov"}) { token } }', {}, member.auth))
      .createApiToken.token;
  });
  afterAll(async () => {
    await regional?.close();
    await other?.close();
    await t?.close();
  });

  test('an override is checked like a custom service, and only admins set it', async () => {
    const refused = async (apiBaseUrls: string[], field: string) =>
      expect(
        (await t.gql(SET, { i: { slug: SLUG, apiBaseUrls } }, admin)).errors?.[0]?.extensions,
      ).toMatchObject({ code: 'BAD_USER_INPUT', field });
    await refused(['not a url'], 'apiBaseUrls[0]');
    await refused([`${regional.url}/v1/`, `${regional.url}/?region=eu`], 'apiBaseUrls[1]');
    await refused(['https://user:pw@api.example.com/'], 'apiBaseUrls[0]');
    await refused(['https://[subdomain].example.com/'], 'apiBaseUrls[0]');
    const member_ = await t.gql(
      SET,
      { i: { slug: SLUG, apiBaseUrls: [`${regional.url}/ai/`] } },
      member.auth,
    );
    expect(member_.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknown = await t.gql(SET, { i: { slug: 'no-such-service', apiBaseUrls: [] } }, admin);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await service()).toMatchObject({
      apiBaseUrls: ['https://api.openai.com/'],
      apiBaseUrlsOverridden: false,
      catalogApiBaseUrls: ['https://api.openai.com/'],
    });
  });

  test('the credential test, invokeUrl and /proxy all use the override, confined under its path', async () => {
    const set = ok(await t.gql(SET, { i: { slug: SLUG, apiBaseUrls: [`${regional.url}/ai/`] } }, admin));
    expect(set.setServiceApiBaseUrls).toMatchObject({
      id: `default:${SLUG}`,
      apiBaseUrls: [`${regional.url}/ai/`],
      apiBaseUrlsOverridden: true,
      catalogApiBaseUrls: ['https://api.openai.com/'],
    });
    expect((await service()).apiBaseUrls).toEqual([`${regional.url}/ai/`]);

    // The key is checked against the regional host: the catalog's test request, relative, moved with it.
    ok(
      await t.gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { connection { id } } }',
        {
          i: {
            name: 'Regional AI',
            linkName: 'regional_ai',
            service: SLUG,
            credentials: { apiKey: API_KEY },
          },
        },
        member.auth,
      ),
    );
    expect(regional.seen.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['GET', '/ai/v1/models', `Bearer ${API_KEY}`],
    ]);

    const relative = ok(await invoke('v1/chat/completions')).invokeUrl;
    expect(JSON.parse(relative.body)).toEqual({ host: 'regional', path: '/ai/v1/chat/completions' });
    const proxied = await fetch(`${t.url}/proxy/regional_ai/v1/files`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await proxied.json()).toEqual({ host: 'regional', path: '/ai/v1/files' });
    expect(regional.seen.at(-1)!.headers.authorization).toBe(`Bearer ${API_KEY}`);

    // Path confinement and the host list apply to the override as to any base URL: the catalog's own host
    // is no longer allowed, and neither is the regional host outside /ai/.
    const before = regional.seen.length;
    for (const url of [
      `${regional.url}/admin`,
      `${regional.url}/ai/../admin`,
      'https://api.openai.com/v1/models',
    ])
      expect((await invoke(url)).errors?.[0]?.extensions?.code).toBe('HOST_NOT_ALLOWED');
    expect(regional.seen.length).toBe(before);
  });

  test('moving held credentials to a new host needs confirmation; a reset restores the catalog', async () => {
    const moved = { slug: SLUG, apiBaseUrls: [`${other.url}/ai/`] };
    const refused = await t.gql(SET, { i: moved }, admin);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      fields: ['apiBaseUrls'],
      authorizations: 1,
    });
    expect((await service()).apiBaseUrls).toEqual([`${regional.url}/ai/`]);

    ok(await t.gql(SET, { i: { ...moved, confirmReauthorization: true } }, admin));
    const auth = await t.server.ds
      .getRepository(AuthorizationRow)
      .findOneByOrFail({ principalId: member.userId });
    expect([auth.status, auth.credentialsEncrypted]).toEqual(['NEEDS_REAUTH', null]);
    expect((await invoke('v1/models')).errors?.[0]?.extensions?.code).toBe('NEEDS_AUTHORIZATION');
    expect(other.accepted()).toBe(0);

    const reset = ok(await t.gql(SET, { i: { slug: SLUG, apiBaseUrls: null } }, admin));
    expect(reset.setServiceApiBaseUrls).toMatchObject({
      apiBaseUrls: ['https://api.openai.com/'],
      apiBaseUrlsOverridden: false,
    });
    const audit = ok(
      await t.gql(
        'query($f: AuditEventFilter) { auditEvents(filter: $f, first: 10) { nodes { action message } } }',
        { f: { action: 'service.api_base_urls_set' } },
        admin,
      ),
    ).auditEvents.nodes.map((e: { message: string }) => e.message);
    expect(audit).toEqual(
      expect.arrayContaining([
        `Set the API base URLs of OpenAI to ${regional.url}/ai/`,
        "Restored the catalog's API base URLs of OpenAI",
      ]),
    );
  });

  test("an override is the workspace's own: another workspace keeps the catalog's", async () => {
    ok(await t.gql(SET, { i: { slug: SLUG, apiBaseUrls: [`${regional.url}/ai/`] } }, admin));
    await seedWorkspaceWithUser(t, { email: 'elsewhere@example.com', password: 'elsewhere-password-1' });
    const elsewhere = await t.signIn('elsewhere@example.com', 'elsewhere-password-1');
    const theirs = ok(
      await t.gql(`query($s: String) { service(slug: $s) { ${SERVICE} } }`, { s: SLUG }, elsewhere),
    );
    expect(theirs.service).toMatchObject({
      apiBaseUrls: ['https://api.openai.com/'],
      apiBaseUrlsOverridden: false,
    });
    expect(findCatalogEntry(SLUG)!.apiBaseUrls).toEqual(['https://api.openai.com/']);
  });
});
