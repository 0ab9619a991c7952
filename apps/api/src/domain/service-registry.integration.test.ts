import { catalog } from '@connections/auth-flows';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  seedWorkspaceWithUser,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(60_000);

const SERVICE = `id kind slug name authType paramType authorizeUrl accessTokenUrl requestTokenUrl refreshUrl revokeUrl
  scopes defaultScopes scopeDelimiter apiBaseUrls apiKeyParamName clientId hasClientSecret redirectUri needsSubdomain`;
const CREATE = `mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { ${SERVICE} } }`;
const UPDATE = `mutation($i: UpdateServiceInput!) { updateService(input: $i) { ${SERVICE} } }`;
const DELETE = 'mutation($id: ID!) { deleteService(id: $id) }';
const SET_CREDENTIALS = `mutation($i: SetServiceCredentialsInput!) { setServiceCredentials(input: $i) { ${SERVICE} } }`;
const BY_ID = `query($id: ID!) { service(id: $id) { ${SERVICE} } }`;
const BY_SLUG = `query($slug: String!) { service(slug: $slug) { ${SERVICE} } }`;
const LIST = `query($f: ServiceFilter, $first: Int, $after: String) {
  services(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${SERVICE} } }
}`;

type Service = Record<string, any>;

/** Every client secret this file sends: none may come back in a response or sit in the database in clear. */
const sentSecrets: string[] = [];
function secret(): string {
  const s = `csec_${randomBytes(12).toString('hex')}`;
  sentSecrets.push(s);
  return s;
}

const oauth2 = (over: Record<string, unknown> = {}) => ({
  name: 'Acme OAuth',
  authType: 'OAUTH2',
  authorizeUrl: 'https://auth.acme.example/oauth/authorize',
  accessTokenUrl: 'https://auth.acme.example/oauth/token',
  clientId: 'acme-client-id',
  clientSecret: secret(),
  scopes: ['read', 'write'],
  apiBaseUrls: ['https://api.acme.example/v1/'],
  ...over,
});
const oauth1 = (over: Record<string, unknown> = {}) => ({
  name: 'Acme OAuth1',
  authType: 'OAUTH1',
  requestTokenUrl: 'https://auth.acme.example/oauth/request_token',
  authorizeUrl: 'https://auth.acme.example/oauth/authorize',
  accessTokenUrl: 'https://auth.acme.example/oauth/access_token',
  clientId: 'acme-consumer-key',
  clientSecret: secret(),
  apiBaseUrls: ['https://api.acme.example/'],
  ...over,
});
const basic = (over: Record<string, unknown> = {}) => ({
  name: 'Acme Basic',
  authType: 'BASIC',
  apiBaseUrls: ['https://basic.acme.example/'],
  ...over,
});
const apiKey = (over: Record<string, unknown> = {}) => ({
  name: 'Acme Key',
  authType: 'API_KEY',
  apiKeyParamName: 'X-Api-Key',
  apiBaseUrls: ['https://key.acme.example/'],
  ...over,
});

/** The secrets found in a text, each with a little context, so a failure shows where without dumping it all. */
function leaks(text: string, secrets: string[] = sentSecrets): string[] {
  return secrets
    .filter((x) => text.includes(x))
    .map((x) => text.slice(Math.max(0, text.indexOf(x) - 80), text.indexOf(x) + x.length));
}

function errorOf(r: GqlResult) {
  expect(r.errors).toHaveLength(1);
  return r.errors![0]!;
}

describe.each(databases())('services API (%s)', (db) => {
  let t: TestServer;
  let admin: Auth;

  const create = async (input: Record<string, unknown>): Promise<Service> => {
    const r = await t.gql(CREATE, { i: input }, admin);
    if (r.errors) throw new Error(`createCustomService failed: ${r.raw}`);
    return r.data!.createCustomService;
  };
  const byId = async (id: string) => (await t.gql(BY_ID, { id }, admin)).data?.service as Service | undefined;
  const customRowCount = async () =>
    Number((await t.server.ds.query(`SELECT COUNT(*) AS n FROM service WHERE kind = 'CUSTOM'`))[0].n);
  const customIds = async (): Promise<string[]> => {
    const r = await t.gql(LIST, { f: { kind: 'CUSTOM' }, first: 100 }, admin);
    return r.data!.services.nodes.map((s: Service) => s.id).sort();
  };
  /** All services, walked page by page. */
  const walk = async (
    filter: Record<string, unknown> = {},
    first = 100,
  ): Promise<{ nodes: Service[]; pages: number; totalCount: number }> => {
    const nodes: Service[] = [];
    let after: string | null = null;
    let pages = 0;
    let totalCount = -1;
    for (;;) {
      const r: GqlResult = await t.gql(LIST, { f: filter, first, after }, admin);
      expect(r.errors).toBeUndefined();
      const page = r.data!.services;
      if (totalCount === -1) totalCount = page.totalCount;
      expect(page.totalCount).toBe(totalCount);
      expect(page.nodes.length).toBeLessThanOrEqual(first);
      nodes.push(...page.nodes);
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(pages).toBeLessThan(50);
    }
    return { nodes, pages, totalCount };
  };

  beforeAll(async () => {
    t = await startTestServer(db);
    admin = await t.adminAuth();
    // A few custom services so that every list below mixes both kinds.
    await create(oauth2({ name: 'Zeta Tracker' }));
    await create(basic({ name: 'Ledger Basic' }));
    await create(apiKey({ name: 'Quota Keys', paramType: 'QUERY_STRING', apiKeyParamName: 'api_key' }));
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('listing and finding', () => {
    test('totalCount is the catalog plus the custom services; pages walk everything once', async () => {
      const customs = await customRowCount();
      expect(customs).toBeGreaterThanOrEqual(3);
      const first = await t.gql(LIST, { first: 100 }, admin);
      expect(first.data!.services.totalCount).toBe(catalog.length + customs);
      expect(first.data!.services.nodes).toHaveLength(100);
      expect(first.data!.services.pageInfo.hasNextPage).toBe(true);

      const { nodes, pages, totalCount } = await walk({}, 100);
      expect(totalCount).toBe(catalog.length + customs);
      expect(pages).toBe(Math.ceil(totalCount / 100));
      expect(nodes).toHaveLength(totalCount);
      expect(new Set(nodes.map((s) => s.id)).size).toBe(totalCount);
      expect(new Set(nodes.map((s) => s.slug)).size).toBe(totalCount);
      expect(
        nodes
          .filter((s) => s.kind === 'DEFAULT')
          .map((s) => s.slug)
          .sort(),
      ).toEqual(catalog.map((e) => e.slug).sort());
      expect(nodes.filter((s) => s.kind === 'CUSTOM')).toHaveLength(customs);

      // A smaller page size walks the same set in the same order.
      const small = await walk({}, 37);
      expect(small.nodes.map((s) => s.id)).toEqual(nodes.map((s) => s.id));
    });

    test('page size and cursors are checked', async () => {
      for (const first of [0, 101, -1]) {
        const r = await t.gql(LIST, { first }, admin);
        expect(errorOf(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      }
      const r = await t.gql(LIST, { first: 10, after: 'not-a-cursor' }, admin);
      expect(errorOf(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    });

    test('filter by search is case-insensitive on name and slug', async () => {
      const all = (await walk()).nodes;
      const expected = (q: string) =>
        all
          .filter((s) => s.name.toLowerCase().includes(q.toLowerCase()) || s.slug.includes(q.toLowerCase()))
          .map((s) => s.id);

      const gh = await walk({ search: 'GitHub' });
      expect(gh.nodes.map((s) => s.slug)).toEqual(expect.arrayContaining(['github']));
      expect(gh.nodes.map((s) => s.id)).toEqual(expected('GitHub'));
      expect(gh.totalCount).toBe(gh.nodes.length);
      for (const s of gh.nodes) expect(`${s.name.toLowerCase()} ${s.slug}`).toContain('github');

      // A custom service found by its name in another case.
      const custom = await walk({ search: 'zETA tRACKER' });
      expect(custom.nodes.map((s) => s.name)).toEqual(['Zeta Tracker']);

      // A catalog entry whose slug is not in its display name is found by its slug.
      const slugOnly = catalog.find(
        (e) => e.slug.length > 5 && !e.displayName.toLowerCase().includes(e.slug),
      )!;
      expect(slugOnly).toBeDefined();
      const bySlug = await walk({ search: slugOnly.slug.toUpperCase() });
      expect(bySlug.nodes.map((s) => s.slug)).toContain(slugOnly.slug);
      expect(bySlug.nodes.map((s) => s.id)).toEqual(expected(slugOnly.slug));

      expect((await walk({ search: 'no service is called this' })).totalCount).toBe(0);
    });

    test('filter by auth type and by kind', async () => {
      const customs = await t.server.ds.query(`SELECT "authType" FROM service WHERE kind = 'CUSTOM'`);
      for (const authType of ['OAUTH2', 'OAUTH1', 'BASIC', 'API_KEY']) {
        const r = await walk({ authType });
        const expected =
          catalog.filter((e) => e.authType === authType).length +
          customs.filter((c: any) => c.authType === authType).length;
        expect(r.totalCount).toBe(expected);
        expect(r.nodes).toHaveLength(expected);
        expect(r.nodes.every((s) => s.authType === authType)).toBe(true);
      }
      const defaults = await walk({ kind: 'DEFAULT' });
      expect(defaults.totalCount).toBe(catalog.length);
      expect(defaults.nodes.every((s) => s.kind === 'DEFAULT' && s.id === `default:${s.slug}`)).toBe(true);
      const custom = await walk({ kind: 'CUSTOM' });
      expect(custom.totalCount).toBe(customs.length);
      expect(custom.nodes.every((s) => s.kind === 'CUSTOM' && !s.id.startsWith('default:'))).toBe(true);
      const both = await walk({ kind: 'CUSTOM', authType: 'BASIC', search: 'ledger' });
      expect(both.nodes.map((s) => s.name)).toEqual(['Ledger Basic']);
    });

    test('service(slug) and service(id) find a catalog service; unknown ones are NOT_FOUND', async () => {
      const bySlug = (await t.gql(BY_SLUG, { slug: 'github' }, admin)).data!.service;
      const entry = catalog.find((e) => e.slug === 'github')!;
      expect(bySlug).toMatchObject({
        id: 'default:github',
        kind: 'DEFAULT',
        slug: 'github',
        name: entry.displayName,
        authType: entry.authType,
        apiBaseUrls: [...entry.apiBaseUrls],
        defaultScopes: [...entry.defaultScopes],
        clientId: null,
        hasClientSecret: false,
      });
      expect(await byId('default:github')).toEqual(bySlug);

      for (const [q, vars] of [
        [BY_SLUG, { slug: 'no-such-service' }],
        [BY_SLUG, { slug: 'GITHUB' }],
        [BY_ID, { id: 'default:no-such-service' }],
        [BY_ID, { id: randomUUID() }],
        [BY_ID, { id: 'not-an-id' }],
      ] as const) {
        const r = await t.gql(q, vars, admin);
        expect(r.data).toBeNull();
        expect(errorOf(r).extensions?.code).toBe('NOT_FOUND');
      }
      const neither = await t.gql(`{ service { id } }`, {}, admin);
      expect(errorOf(neither).extensions?.code).toBe('BAD_USER_INPUT');
    });

    test('a custom service is found by its id and slug, not by a "default:" id', async () => {
      const s = await create(basic({ name: 'Lookup Target' }));
      expect(await byId(s.id)).toEqual(s);
      expect((await t.gql(BY_SLUG, { slug: s.slug }, admin)).data!.service).toEqual(s);
      // "default:<slug>" names a catalog service: it must not resolve to a custom one.
      const r = await t.gql(BY_ID, { id: `default:${s.slug}` }, admin);
      expect(errorOf(r).extensions?.code).toBe('NOT_FOUND');
    });

    test('every OAuth service has a redirectUri on this server; the others have none', async () => {
      const { nodes } = await walk();
      const oauth = nodes.filter((s) => s.authType === 'OAUTH2' || s.authType === 'OAUTH1');
      const other = nodes.filter((s) => s.authType === 'BASIC' || s.authType === 'API_KEY');
      expect(oauth.some((s) => s.kind === 'CUSTOM')).toBe(true);
      expect(other.some((s) => s.kind === 'CUSTOM')).toBe(true);
      expect(other.some((s) => s.kind === 'DEFAULT')).toBe(true);
      for (const s of oauth) {
        expect(typeof s.redirectUri).toBe('string');
        expect(s.redirectUri.startsWith(`${t.url}/`)).toBe(true);
      }
      for (const s of other) expect(s.redirectUri).toBeNull();
    });

    test('members can read services but not change them', async () => {
      const { auth: member } = await addMember(t, 'reader@example.com');
      const r = await t.gql(LIST, { first: 5 }, member);
      expect(r.data!.services.totalCount).toBe(catalog.length + (await customRowCount()));
      const target = (await walk({ kind: 'CUSTOM', search: 'ledger' })).nodes[0]!;
      for (const [q, vars] of [
        [UPDATE, { i: { id: target.id, name: 'Hijacked' } }],
        [DELETE, { id: target.id }],
      ] as const) {
        expect(errorOf(await t.gql(q, vars, member)).extensions?.code).toBe('FORBIDDEN');
      }
      expect((await byId(target.id))!.name).toBe('Ledger Basic');
      const anonymous = await t.gql(LIST, { first: 5 });
      expect(errorOf(anonymous).extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('createCustomService', () => {
    const refused: [string, Record<string, unknown>, string][] = [
      ['an empty name', oauth2({ name: '' }), 'name'],
      ['a blank name', basic({ name: '   ' }), 'name'],
      ['an 81-character name', oauth2({ name: 'n'.repeat(81) }), 'name'],
      ['OAUTH2 without authorizeUrl', oauth2({ authorizeUrl: undefined }), 'authorizeUrl'],
      ['OAUTH2 without accessTokenUrl', oauth2({ accessTokenUrl: undefined }), 'accessTokenUrl'],
      ['OAUTH2 without clientId', oauth2({ clientId: undefined }), 'clientId'],
      ['OAUTH2 with a blank clientId', oauth2({ clientId: '  ' }), 'clientId'],
      ['OAUTH2 without clientSecret', oauth2({ clientSecret: undefined }), 'clientSecret'],
      ['OAUTH2 with a blank clientSecret', oauth2({ clientSecret: '   ' }), 'clientSecret'],
      ['OAUTH1 without requestTokenUrl', oauth1({ requestTokenUrl: undefined }), 'requestTokenUrl'],
      ['a relative URL', oauth2({ authorizeUrl: '/oauth/authorize' }), 'authorizeUrl'],
      ['a URL without a scheme', oauth2({ accessTokenUrl: 'auth.acme.example/token' }), 'accessTokenUrl'],
      ['an ftp:// URL', oauth2({ accessTokenUrl: 'ftp://auth.acme.example/token' }), 'accessTokenUrl'],
      [
        'a URL with user:pass@',
        oauth2({ authorizeUrl: 'https://user:pass@auth.acme.example/authorize' }),
        'authorizeUrl',
      ],
      ['a javascript: URL', oauth2({ authorizeUrl: 'javascript:alert(1)' }), 'authorizeUrl'],
      ['a data: refresh URL', oauth2({ refreshUrl: 'data:text/html,hi' }), 'refreshUrl'],
      ['no apiBaseUrls', oauth2({ apiBaseUrls: [] }), 'apiBaseUrls'],
      ['a relative apiBaseUrl', basic({ apiBaseUrls: ['/v1'] }), 'apiBaseUrls[0]'],
      [
        'a javascript: apiBaseUrl',
        basic({ apiBaseUrls: ['https://ok.example/', 'javascript:alert(1)'] }),
        'apiBaseUrls[1]',
      ],
      [
        'an apiBaseUrl with credentials',
        apiKey({ apiBaseUrls: ['https://u:p@key.acme.example/'] }),
        'apiBaseUrls[0]',
      ],
      ['API_KEY without apiKeyParamName', apiKey({ apiKeyParamName: undefined }), 'apiKeyParamName'],
      ['API_KEY with a blank apiKeyParamName', apiKey({ apiKeyParamName: '  ' }), 'apiKeyParamName'],
      ['API_KEY with a space in apiKeyParamName', apiKey({ apiKeyParamName: 'api key' }), 'apiKeyParamName'],
      [
        'API_KEY with a header-breaking apiKeyParamName',
        apiKey({ apiKeyParamName: 'X-Key:\r\nEvil' }),
        'apiKeyParamName',
      ],
      ['BASIC with paramType QUERY_STRING', basic({ paramType: 'QUERY_STRING' }), 'paramType'],
      ['BASIC with a clientId', basic({ clientId: 'nope' }), 'clientId'],
      ['BASIC with a clientSecret', basic({ clientSecret: secret() }), 'clientSecret'],
      [
        'BASIC with an authorizeUrl',
        basic({ authorizeUrl: 'https://auth.acme.example/authorize' }),
        'authorizeUrl',
      ],
      ['a bad scopeDelimiter', oauth2({ scopeDelimiter: '|' }), 'scopeDelimiter'],
      ['an empty scopeDelimiter', oauth2({ scopeDelimiter: '' }), 'scopeDelimiter'],
      ['a scope with white space', oauth2({ scopes: ['read', 'write all'] }), 'scopes'],
      ['a scope with a tab', oauth2({ scopes: ['read\twrite'] }), 'scopes'],
      ['a scope containing the delimiter', oauth2({ scopeDelimiter: ',', scopes: ['read,write'] }), 'scopes'],
      ['an empty scope', oauth2({ scopes: ['read', ''] }), 'scopes'],
      ['a reserved authorize parameter', oauth2({ authorizeParams: { state: 'fixed' } }), 'authorizeParams'],
      ['a PKCE authorize parameter', oauth1({ authorizeParams: { code_challenge: 'x' } }), 'authorizeParams'],
      ['a non-string authorize parameter', oauth2({ authorizeParams: { prompt: 1 } }), 'authorizeParams'],
      [
        'authorizeParams without OAuth',
        apiKey({ authorizeParams: { prompt: 'consent' } }),
        'authorizeParams',
      ],
    ];

    test.each(refused)(
      '%s is refused with BAD_USER_INPUT naming the field, and nothing changes',
      async (_label, input, field) => {
        const before = {
          ids: await customIds(),
          rows: await customRowCount(),
          audit: (await t.server.ds.query('SELECT COUNT(*) AS n FROM audit_event'))[0].n,
        };
        const r = await t.gql(CREATE, { i: input }, admin);
        expect(r.data).toBeNull();
        const e = errorOf(r);
        expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
        expect(e.message).toContain(field.replace(/\[\d+\]$/, ''));
        expect(await customIds()).toEqual(before.ids);
        expect(await customRowCount()).toBe(before.rows);
        expect((await t.server.ds.query('SELECT COUNT(*) AS n FROM audit_event'))[0].n).toEqual(before.audit);
      },
    );

    test('OAUTH2: stored normalised, secret write-only, redirect URI given', async () => {
      const clientSecret = secret();
      const s = await create(
        oauth2({
          name: '  Billing OAuth  ',
          authorizeUrl: ' https://auth.billing.example/authorize ',
          refreshUrl: 'https://auth.billing.example/refresh',
          revokeUrl: 'https://auth.billing.example/revoke',
          clientSecret,
          scopes: [' read ', 'write', 'read'],
          paramType: 'QUERY_STRING',
        }),
      );
      expect(s).toMatchObject({
        kind: 'CUSTOM',
        slug: 'billing-oauth',
        name: 'Billing OAuth',
        authType: 'OAUTH2',
        paramType: 'QUERY_STRING',
        authorizeUrl: 'https://auth.billing.example/authorize',
        accessTokenUrl: 'https://auth.acme.example/oauth/token',
        requestTokenUrl: null,
        refreshUrl: 'https://auth.billing.example/refresh',
        revokeUrl: 'https://auth.billing.example/revoke',
        scopes: ['read', 'write'],
        defaultScopes: ['read', 'write'],
        scopeDelimiter: ' ',
        apiBaseUrls: ['https://api.acme.example/v1/'],
        apiKeyParamName: null,
        clientId: 'acme-client-id',
        hasClientSecret: true,
        needsSubdomain: false,
      });
      expect(s.redirectUri.startsWith(`${t.url}/`)).toBe(true);
      expect(await byId(s.id)).toEqual(s);
      expect(JSON.stringify(s)).not.toContain(clientSecret);
    });

    test('OAUTH2 authorizeParams: stored, updated, cleared', async () => {
      const q = (id: string) =>
        t.gql('query($id: ID!) { service(id: $id) { authorizeParams } }', { id }, admin);
      const s = await create(
        oauth2({ name: 'Offline OAuth', authorizeParams: { prompt: 'consent', access_type: 'offline' } }),
      );
      expect((await q(s.id)).data!.service.authorizeParams).toEqual({
        prompt: 'consent',
        access_type: 'offline',
      });
      const set = (authorizeParams: unknown) =>
        t.gql(
          'mutation($i: UpdateServiceInput!) { updateService(input: $i) { authorizeParams } }',
          { i: { id: s.id, authorizeParams } },
          admin,
        );
      expect((await set({ audience: 'api' })).data!.updateService.authorizeParams).toEqual({
        audience: 'api',
      });
      expect(errorOf(await set({ redirect_uri: 'https://evil.example/' })).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'authorizeParams',
      });
      expect((await set(null)).data!.updateService.authorizeParams).toBeNull();
    });

    test('OAUTH1, BASIC and API_KEY with each param type', async () => {
      const o1 = await create(oauth1({ name: 'Legacy Tweets', scopeDelimiter: ',' }));
      expect(o1).toMatchObject({
        authType: 'OAUTH1',
        requestTokenUrl: 'https://auth.acme.example/oauth/request_token',
        clientId: 'acme-consumer-key',
        hasClientSecret: true,
        scopeDelimiter: ',',
        paramType: 'HEADERS',
      });
      expect(o1.redirectUri.startsWith(`${t.url}/`)).toBe(true);

      const b = await create(basic({ name: 'Plain Basic', revokeUrl: 'https://basic.acme.example/logout' }));
      expect(b).toMatchObject({
        authType: 'BASIC',
        paramType: 'HEADERS',
        clientId: null,
        hasClientSecret: false,
        redirectUri: null,
        revokeUrl: 'https://basic.acme.example/logout',
      });

      for (const paramType of ['HEADERS', 'QUERY_STRING', 'FORM_DATA']) {
        const k = await create(
          apiKey({ name: `Key in ${paramType}`, paramType, apiKeyParamName: ' X-Api-Key ' }),
        );
        expect(k).toMatchObject({
          authType: 'API_KEY',
          paramType,
          apiKeyParamName: 'X-Api-Key',
          redirectUri: null,
          hasClientSecret: false,
        });
        expect(await byId(k.id)).toEqual(k);
      }
    });

    test('slugs are unique and never take a catalog slug', async () => {
      const a = await create(basic({ name: 'Twin Service' }));
      const b = await create(basic({ name: 'Twin Service' }));
      const c = await create(basic({ name: 'twin   service!' }));
      expect(a.slug).toBe('twin-service');
      expect(new Set([a.slug, b.slug, c.slug]).size).toBe(3);
      expect(b.slug).toMatch(/^twin-service-\d+$/);

      const gh = await create(basic({ name: 'GitHub' }));
      expect(gh.slug).not.toBe('github');
      expect(catalog.some((e) => e.slug === gh.slug)).toBe(false);
      const catalogGithub = (await t.gql(BY_SLUG, { slug: 'github' }, admin)).data!.service;
      expect(catalogGithub).toMatchObject({ id: 'default:github', kind: 'DEFAULT' });
      expect((await t.gql(BY_SLUG, { slug: gh.slug }, admin)).data!.service.id).toBe(gh.id);

      // A name with nothing usable for a slug still gets one.
      const odd = await create(basic({ name: '!!!' }));
      expect(odd.slug).toMatch(/^[a-z0-9-]+$/);
    });
  });

  describe('updateService', () => {
    test('changes the given fields and keeps the others', async () => {
      const s = await create(oauth2({ name: 'Editable' }));
      const r = await t.gql(
        UPDATE,
        {
          i: {
            id: s.id,
            name: 'Edited',
            scopes: ['admin'],
            apiBaseUrls: ['https://api2.acme.example/'],
            paramType: 'FORM_DATA',
          },
        },
        admin,
      );
      expect(r.errors).toBeUndefined();
      const expected = {
        ...s,
        name: 'Edited',
        scopes: ['admin'],
        defaultScopes: ['admin'],
        apiBaseUrls: ['https://api2.acme.example/'],
        paramType: 'FORM_DATA',
      };
      expect(r.data!.updateService).toEqual(expected);
      expect(await byId(s.id)).toEqual(expected);
      // The slug is the service's handle: renaming does not change it.
      expect(r.data!.updateService.slug).toBe(s.slug);
    });

    test('re-validates the merged result; a refused update leaves the row unchanged', async () => {
      const s = await create(oauth2({ name: 'Strict' }));
      const cases: [Record<string, unknown>, string][] = [
        [{ authorizeUrl: null }, 'authorizeUrl'],
        [{ authorizeUrl: '' }, 'authorizeUrl'],
        [{ accessTokenUrl: 'ftp://nope.example/' }, 'accessTokenUrl'],
        [{ clientId: null }, 'clientId'],
        [{ apiBaseUrls: [] }, 'apiBaseUrls'],
        [{ scopes: ['bad scope'] }, 'scopes'],
        [{ scopeDelimiter: '/' }, 'scopeDelimiter'],
        [{ apiKeyParamName: 'X-Key' }, 'apiKeyParamName'],
        [{ name: '' }, 'name'],
        [{ name: null }, 'name'],
        [{ paramType: null }, 'paramType'],
        [{ clientSecret: '' }, 'clientSecret'],
        // One good field and one bad one: nothing is applied.
        [{ name: 'Half applied', requestTokenUrl: 'javascript:alert(1)' }, 'requestTokenUrl'],
      ];
      for (const [change, field] of cases) {
        const r = await t.gql(UPDATE, { i: { id: s.id, ...change } }, admin);
        expect(r.data).toBeNull();
        expect({ change, extensions: errorOf(r).extensions }).toMatchObject({
          change,
          extensions: { code: 'BAD_USER_INPUT', field },
        });
        expect(await byId(s.id)).toEqual(s);
      }
    });

    test('a BASIC service re-validates too', async () => {
      const s = await create(basic({ name: 'Strict Basic' }));
      for (const [change, field] of [
        [{ paramType: 'QUERY_STRING' }, 'paramType'],
        [{ clientId: 'x' }, 'clientId'],
        [{ clientSecret: secret() }, 'clientSecret'],
      ] as const) {
        const r = await t.gql(UPDATE, { i: { id: s.id, ...change } }, admin);
        expect(errorOf(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
        expect(await byId(s.id)).toEqual(s);
      }
    });

    test('clientSecret: a new one replaces it, null clears it', async () => {
      const s = await create(oauth2({ name: 'Rotating' }));
      const rowSecret = async () =>
        (await t.server.ds.query(`SELECT "clientSecretEncrypted" AS v FROM service WHERE id = '${s.id}'`))[0]
          .v as string | null;
      const original = await rowSecret();
      expect(original).toBeTruthy();

      const replaced = await t.gql(UPDATE, { i: { id: s.id, clientSecret: secret() } }, admin);
      expect(replaced.data!.updateService.hasClientSecret).toBe(true);
      expect(await rowSecret()).not.toEqual(original);

      // Leaving it out keeps it.
      const renamed = await t.gql(UPDATE, { i: { id: s.id, name: 'Rotating 2' } }, admin);
      expect(renamed.data!.updateService.hasClientSecret).toBe(true);

      // Clearing removes it from storage at once (e.g. after a leak, before the provider issues a new one).
      const cleared = await t.gql(UPDATE, { i: { id: s.id, clientSecret: null } }, admin);
      expect(cleared.errors).toBeUndefined();
      expect(cleared.data!.updateService.hasClientSecret).toBe(false);
      expect((await byId(s.id))!.hasClientSecret).toBe(false);
      expect(await rowSecret()).toBeNull();
      const listed = (await walk({ kind: 'CUSTOM', search: 'Rotating 2' })).nodes;
      expect(listed.map((x) => [x.id, x.hasClientSecret])).toEqual([[s.id, false]]);

      const again = await t.gql(UPDATE, { i: { id: s.id, clientSecret: secret() } }, admin);
      expect(again.data!.updateService.hasClientSecret).toBe(true);
    });

    test('catalog services cannot be updated; an unknown id is NOT_FOUND', async () => {
      const r = await t.gql(UPDATE, { i: { id: 'default:github', name: 'My GitHub' } }, admin);
      expect(errorOf(r).extensions?.code).toBe('BAD_USER_INPUT');
      // Still refused once the workspace has a row for it (after credentials are set).
      await t.gql(SET_CREDENTIALS, { i: { slug: 'gitlab', clientId: 'gl', clientSecret: secret() } }, admin);
      const r2 = await t.gql(UPDATE, { i: { id: 'default:gitlab', name: 'Mine' } }, admin);
      expect(errorOf(r2).extensions?.code).toBe('BAD_USER_INPUT');
      expect((await byId('default:gitlab'))!.name).toBe(
        catalog.find((e) => e.slug === 'gitlab')!.displayName,
      );

      const missing = await t.gql(UPDATE, { i: { id: randomUUID(), name: 'Ghost' } }, admin);
      expect(errorOf(missing).extensions?.code).toBe('NOT_FOUND');
    });
  });

  describe('deleteService', () => {
    test('is refused with CONFLICT while a connection uses it, and works after the connection is deleted', async () => {
      const s = await create(basic({ name: 'In Use' }));
      const conn = await t.gql(
        'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id linkName } }',
        { i: { name: 'Uses it', linkName: 'uses_the_custom_service', service: s.id } },
        admin,
      );
      expect(conn.errors).toBeUndefined();
      const refused = await t.gql(DELETE, { id: s.id }, admin);
      const e = errorOf(refused);
      expect(e.extensions?.code).toBe('CONFLICT');
      expect(e.message).toContain('uses_the_custom_service');
      expect(await byId(s.id)).toEqual(s);

      const gone = await t.gql(
        'mutation($id: ID!) { deleteConnection(id: $id) }',
        { id: conn.data!.createConnection.id },
        admin,
      );
      expect(gone.errors).toBeUndefined();
      const before = await customRowCount();
      const ok = await t.gql(DELETE, { id: s.id }, admin);
      expect(ok.data).toEqual({ deleteService: s.id });
      expect(await customRowCount()).toBe(before - 1);
      expect(errorOf(await t.gql(BY_ID, { id: s.id }, admin)).extensions?.code).toBe('NOT_FOUND');
      expect(errorOf(await t.gql(DELETE, { id: s.id }, admin)).extensions?.code).toBe('NOT_FOUND');
    });

    test('catalog services and unknown ids cannot be deleted', async () => {
      for (const id of ['default:github', randomUUID()]) {
        expect(errorOf(await t.gql(DELETE, { id }, admin)).extensions?.code).toBe('NOT_FOUND');
      }
      expect((await t.gql(BY_SLUG, { slug: 'github' }, admin)).data!.service.id).toBe('default:github');
    });
  });

  describe('setServiceCredentials', () => {
    test('sets the OAuth client of a catalog service for this workspace only', async () => {
      const r = await t.gql(
        SET_CREDENTIALS,
        { i: { slug: 'github', clientId: ' gh-client-1 ', clientSecret: secret() } },
        admin,
      );
      expect(r.errors).toBeUndefined();
      expect(r.data!.setServiceCredentials).toMatchObject({
        id: 'default:github',
        kind: 'DEFAULT',
        clientId: 'gh-client-1',
        hasClientSecret: true,
      });
      const one = (await t.gql(BY_SLUG, { slug: 'github' }, admin)).data!.service;
      expect(one).toEqual(r.data!.setServiceCredentials);
      const listed = (await walk({ search: 'github', kind: 'DEFAULT' })).nodes.find(
        (s) => s.slug === 'github',
      )!;
      expect(listed).toEqual(one);

      // Setting them again replaces both.
      const again = await t.gql(
        SET_CREDENTIALS,
        { i: { slug: 'github', clientId: 'gh-client-2', clientSecret: secret() } },
        admin,
      );
      expect(again.data!.setServiceCredentials).toMatchObject({
        clientId: 'gh-client-2',
        hasClientSecret: true,
      });
      expect(
        Number((await t.server.ds.query(`SELECT COUNT(*) AS n FROM service WHERE slug = 'github'`))[0].n),
      ).toBe(1);

      // Another workspace does not see this workspace's client.
      await seedWorkspaceWithUser(t, { email: 'creds-other@example.com', password: 'other-password-123' });
      const other = await t.signIn('creds-other@example.com', 'other-password-123');
      expect((await t.gql(BY_SLUG, { slug: 'github' }, other)).data!.service).toMatchObject({
        clientId: null,
        hasClientSecret: false,
      });
    });

    test('is refused for non-OAuth catalog entries, bad input and unknown slugs', async () => {
      const keyEntry = catalog.find((e) => e.authType === 'API_KEY')!;
      const r = await t.gql(
        SET_CREDENTIALS,
        { i: { slug: keyEntry.slug, clientId: 'x', clientSecret: secret() } },
        admin,
      );
      expect(errorOf(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slug' });
      expect((await t.gql(BY_SLUG, { slug: keyEntry.slug }, admin)).data!.service).toMatchObject({
        clientId: null,
        hasClientSecret: false,
      });

      const blankId = await t.gql(
        SET_CREDENTIALS,
        { i: { slug: 'gitlab', clientId: '  ', clientSecret: secret() } },
        admin,
      );
      expect(errorOf(blankId).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'clientId' });
      const blankSecret = await t.gql(
        SET_CREDENTIALS,
        { i: { slug: 'gitlab', clientId: 'gl', clientSecret: ' ' } },
        admin,
      );
      expect(errorOf(blankSecret).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'clientSecret',
      });

      const unknown = await t.gql(
        SET_CREDENTIALS,
        { i: { slug: 'no-such-service', clientId: 'x', clientSecret: secret() } },
        admin,
      );
      expect(errorOf(unknown).extensions?.code).toBe('NOT_FOUND');
      const custom = await create(basic({ name: 'Not A Catalog Entry' }));
      const onCustom = await t.gql(
        SET_CREDENTIALS,
        { i: { slug: custom.slug, clientId: 'x', clientSecret: secret() } },
        admin,
      );
      expect(errorOf(onCustom).extensions?.code).toBe('NOT_FOUND');
    });
  });

  describe('secrets and audit', () => {
    test('a client secret never comes back, even in an error about its own input', async () => {
      const leaked = secret();
      const before = await customRowCount();
      // Missing a required field: GraphQL's own message would quote the whole variable value.
      const r = await t.gql(
        CREATE,
        { i: { name: 'No auth type', clientSecret: leaked, apiBaseUrls: ['https://x.example/'] } },
        admin,
      );
      expect(r.status).toBe(400);
      expect(errorOf(r).extensions?.code).toBe('BAD_USER_INPUT');
      expect(errorOf(r).message).toContain('"authType"');
      expect(r.raw).not.toContain(leaked);
      const r2 = await t.gql(
        CREATE,
        { i: { ...oauth2({ clientSecret: leaked }), authType: 'OAUTH3' } },
        admin,
      );
      expect(r2.status).toBe(400);
      expect(errorOf(r2).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'authType' });
      expect(r2.raw).not.toContain(leaked);
      const r3 = await t.gql(UPDATE, { i: { id: 'x', clientSecret: leaked, bogusField: 1 } }, admin);
      expect(r3.status).toBe(400);
      expect(errorOf(r3).extensions?.code).toBe('BAD_USER_INPUT');
      expect(errorOf(r3).message).toContain('bogusField');
      expect(r3.raw).not.toContain(leaked);
      expect(await customRowCount()).toBe(before);
    });

    test('no response and no stored row holds a client secret in clear', async () => {
      // Secrets sent by this test, so it holds on its own; the earlier tests' secrets are checked too.
      const own = secret();
      const s = await create(oauth2({ name: 'Scanned', clientId: 'scanned-client-id', clientSecret: own }));
      await t.gql(UPDATE, { i: { id: s.id, clientSecret: secret() } }, admin);
      await t.gql(
        SET_CREDENTIALS,
        { i: { slug: 'bitbucket', clientId: 'bb-client-id', clientSecret: secret() } },
        admin,
      );
      await t.gql(LIST, { first: 100 }, admin);
      await t.gql(`{ auditEvents(first: 100) { nodes { action message metadata } } }`, {}, admin);

      const transcript = t.transcript.join('\n');
      expect(transcript).toContain('scanned-client-id'); // the scan sees what responses carry
      expect(sentSecrets.length).toBeGreaterThan(20);
      expect(sentSecrets).toContain(own);
      expect(leaks(transcript)).toEqual([]);

      const rows = JSON.stringify([
        ...(await t.server.ds.query('SELECT * FROM service')),
        ...(await t.server.ds.query('SELECT * FROM audit_event')),
      ]);
      expect(rows).toContain('scanned-client-id');
      expect(rows).toContain('bb-client-id');
      expect(leaks(rows)).toEqual([]);

      if (db === 'sqlite') {
        const file = path.join(t.dataDir, 'connections.sqlite');
        const bytes = Buffer.concat(
          [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)),
        );
        expect(bytes.includes(Buffer.from('scanned-client-id'))).toBe(true);
        for (const sent of sentSecrets) expect(bytes.includes(Buffer.from(sent))).toBe(false);
      }
    });

    test('every change leaves an audit event without a secret', async () => {
      const auditFor = async (targetId: string) => {
        const r = await t.gql(
          `query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { totalCount nodes { action targetType targetId message metadata actor { email } } } }`,
          { f: { action: 'service.' } },
          admin,
        );
        expect(r.errors).toBeUndefined();
        return r.data!.auditEvents.nodes.filter((e: any) => e.targetId === targetId);
      };
      const createdSecret = secret();
      const s = await create(oauth2({ name: 'Audited', clientSecret: createdSecret }));
      const updatedSecret = secret();
      await t.gql(UPDATE, { i: { id: s.id, name: 'Audited 2', clientSecret: updatedSecret } }, admin);
      await t.gql(DELETE, { id: s.id }, admin);
      const credsSecret = secret();
      await t.gql(
        SET_CREDENTIALS,
        { i: { slug: 'slack', clientId: 'slack-client', clientSecret: credsSecret } },
        admin,
      );

      const events = await auditFor(s.id);
      expect(events.map((e: any) => e.action).sort()).toEqual([
        'service.created',
        'service.deleted',
        'service.updated',
      ]);
      for (const e of events)
        expect(e).toMatchObject({ targetType: 'service', actor: { email: 'admin@example.com' } });
      const updated = events.find((e: any) => e.action === 'service.updated');
      expect(updated.message).toContain('clientSecret');
      expect(updated.message).toContain('name');

      const slackRow = (await t.server.ds.query(`SELECT id FROM service WHERE slug = 'slack'`))[0].id;
      const creds = await auditFor(slackRow);
      expect(creds.map((e: any) => e.action)).toEqual(['service.credentials_set']);

      const dump =
        JSON.stringify([...events, ...creds]) +
        JSON.stringify(await t.server.ds.query('SELECT * FROM audit_event'));
      expect(leaks(dump, [createdSecret, updatedSecret, credsSecret, ...sentSecrets])).toEqual([]);
    });
  });
});
