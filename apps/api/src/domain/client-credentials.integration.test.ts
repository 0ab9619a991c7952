import type { Credentials } from '@connections/auth-flows';
import { type OidcServer, startOidcServer } from '@connections/auth-flows/test-support/oidc';
import { request } from 'undici';
import { parseKey, SecretBox } from '../crypto/secret-box';
import { AuthorizationRow } from '../db/entities';
import { databases, type GqlResult, startTestServer, type TestServer } from '../test-support/server';
import { rowCounts } from '../test-support/storage-scan';
import { startUpstream, type Upstream } from '../test-support/upstream';
import { openCredentials, sealCredentials } from './credentials-store';

jest.setTimeout(120_000);

// OAuth 2.0 client credentials (RFC 6749 section 4.4) against oidc-provider: the server obtains the token
// itself on connect (no browser, no attempt link), renews it at expiry with the client credentials (no refresh
// token) once for a burst of calls, and a refused client stores nothing. The API checks every bearer token
// with the provider's introspection endpoint (RFC 7662).

const SECRET = 'machine-secret-0123456789.x';
const CREATE_AND_CONNECT = `mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) {
  authorizeUrl attemptId authorization { status } connection { id linkName status } } }`;
const INVOKE = 'mutation($i: InvokeUrlInput!) { invokeUrl(input: $i) { status body } }';
const SERVICE = `mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) {
  slug authType grantType tokenParams redirectUri pkce } }`;

describe.each(databases())('client credentials services (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let api: Upstream;
  let token: string;
  let box: SecretBox;
  const seen: string[] = [];

  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const issued = async () => (await oidc.stats()).byGrantType.client_credentials ?? 0;
  const active = async (accessToken: string) => {
    const res = await request(`${oidc.issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`machine:${SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: accessToken }).toString(),
    });
    return ((await res.body.json()) as { active: boolean }).active;
  };
  const stored = async (connectionId: string) => {
    const row = await t.server.ds.getRepository(AuthorizationRow).findOneByOrFail({ connectionId });
    return { row, credentials: openCredentials(box, row) as Credentials };
  };
  const service = (name: string, extra: Record<string, unknown> = {}) =>
    t.gql(
      SERVICE,
      {
        i: {
          name,
          authType: 'OAUTH2',
          grantType: 'CLIENT_CREDENTIALS',
          accessTokenUrl: oidc.tokenUrl,
          clientId: 'machine',
          clientSecret: SECRET,
          tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
          scopes: ['api:read'],
          apiBaseUrls: [`${api.url}/`],
          ...extra,
        },
      },
      { token },
    );

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    box = new SecretBox(parseKey(t.env.CONNECTIONS_ENCRYPTION_KEY!, 'key'));
    oidc = await startOidcServer([
      {
        client_id: 'machine',
        client_secret: SECRET,
        redirect_uris: [],
        response_types: [],
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'api:read api:write',
      },
    ]);
    api = await startUpstream(async (req, res) => {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      seen.push(bearer);
      const live = await active(bearer);
      res.writeHead(live ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(live ? { ok: true } : { error: 'invalid_token' }));
    });
    const admin = await t.adminAuth();
    token = ok(await t.gql('mutation { createApiToken(input: {name: "m2m"}) { token } }', {}, admin))
      .createApiToken.token;
  });

  afterAll(async () => {
    await api?.close();
    await oidc?.stop();
    await t?.close();
  });

  it('a custom service with the grant: no browser fields, no callback to register', async () => {
    const created = ok(await service('Machine API', { tokenParams: { audience: `${api.url}/` } }));
    expect(created.createCustomService).toMatchObject({
      authType: 'OAUTH2',
      grantType: 'CLIENT_CREDENTIALS',
      tokenParams: { audience: `${api.url}/` },
      redirectUri: null,
      pkce: false,
    });
    const refused = await service('Machine with authorize', { authorizeUrl: oidc.authorizeUrl });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'authorizeUrl' });
    const reserved = await service('Machine reserved', { tokenParams: { grant_type: 'password' } });
    expect(reserved.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tokenParams' });
  });

  it('createAndConnect obtains the token itself: CONNECTED, no authorize URL, calls carry it', async () => {
    const slug = ok(await service('Machine connect')).createCustomService.slug;
    const before = await issued();
    const r = ok(await t.gql(CREATE_AND_CONNECT, { i: { name: 'm2m', service: slug } }, { token }));
    expect(r.createAndConnect).toMatchObject({
      authorizeUrl: null,
      authorization: { status: 'CONNECTED' },
      connection: { status: 'CONNECTED' },
    });
    expect((await issued()) - before).toBe(1);
    const { credentials } = await stored(r.createAndConnect.connection.id);
    expect(credentials).toMatchObject({ type: 'OAUTH2', scopes: ['api:read'] });
    expect(credentials).not.toHaveProperty('refreshToken');
    const link = r.createAndConnect.connection.linkName;
    const call = ok(await t.gql(INVOKE, { i: { connection: link, url: 'orders' } }, { token }));
    expect(call.invokeUrl.status).toBe(200);
    expect(seen.at(-1)).toBe((credentials as { accessToken: string }).accessToken);
  });

  it('at expiry, a burst of calls obtains a new token exactly once, and every call succeeds', async () => {
    const slug = ok(await service('Machine expiry')).createCustomService.slug;
    const r = ok(await t.gql(CREATE_AND_CONNECT, { i: { name: 'm2m-expiry', service: slug } }, { token }));
    const { id, linkName } = r.createAndConnect.connection;
    const { row, credentials } = await stored(id);
    if (credentials.type !== 'OAUTH2') throw new Error('not OAuth 2.0');
    // As if its time had passed: the stored token says it expired a minute ago.
    const expired = { ...credentials, issuedAt: Date.now() - 3_600_000, expiresAt: Date.now() - 60_000 };
    await t.server.ds
      .getRepository(AuthorizationRow)
      .update({ id: row.id }, { credentialsEncrypted: sealCredentials(box, row.id, expired) });
    t.server.services.invalidator.invalidate('connection', id);
    const before = await issued();
    seen.length = 0;
    const calls = await Promise.all(
      Array.from({ length: 10 }, () => t.gql(INVOKE, { i: { connection: linkName, url: 'x' } }, { token })),
    );
    for (const c of calls) expect(ok(c).invokeUrl.status).toBe(200);
    expect((await issued()) - before).toBe(1);
    const renewed = (await stored(id)).credentials as { accessToken: string };
    expect(renewed.accessToken).not.toBe(credentials.accessToken);
    expect(new Set(seen)).toEqual(new Set([renewed.accessToken]));
  });

  it('a wrong client secret: a clear error naming the service, and nothing stored', async () => {
    const slug = ok(await service('Machine wrong', { clientSecret: 'not-the-secret-1' })).createCustomService
      .slug;
    const before = await rowCounts(t);
    const r = await t.gql(CREATE_AND_CONNECT, { i: { name: 'm2m-wrong', service: slug } }, { token });
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'service',
      oauthError: 'invalid_client',
      retryable: false,
    });
    expect(r.errors?.[0]?.message).toMatch(/invalid_client.*Nothing was saved/);
    expect(r.raw).not.toContain('not-the-secret-1');
    const after = await rowCounts(t);
    expect(after).toMatchObject({
      connections: before.connections,
      authorizations: before.authorizations,
      attempts: before.attempts,
    });
  });

  it("useLoginUserCredentials is refused: the token is the client's, not a user's", async () => {
    const slug = ok(await service('Machine login')).createCustomService.slug;
    const before = await issued();
    const i = { name: 'm2m-login', service: slug, useLoginUserCredentials: true };
    const r = await t.gql(CREATE_AND_CONNECT, { i }, { token });
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'useLoginUserCredentials',
    });
    const created = await t.gql(
      'mutation($i: CreateConnectionInput!) { createConnection(input: $i) { id } }',
      { i },
      { token },
    );
    expect(created.errors?.[0]?.extensions).toMatchObject({ field: 'useLoginUserCredentials' });
    expect((await issued()) - before).toBe(0);
  });
});
