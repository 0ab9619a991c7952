import { Browser } from '@connections/auth-flows/test-support/browser';
import { type OidcServer, startOidcServer } from '@connections/auth-flows/test-support/oidc';
import {
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(90_000);

// The OAuth 2.0 options of a custom service (PKCE on or off, the token endpoint's client authentication,
// extra authorize parameters) reach a real authorization server: oidc-provider, here with PKCE optional so
// that the client's choice shows in what arrives at its authorization endpoint.

const SECRET = 'oidc-options-secret-5521';
const SERVICE = 'id slug pkce tokenEndpointAuthMethod authorizeParams scopeDelimiter';

describe.each(databases())('custom OAuth 2.0 options against oidc-provider (%s)', (db) => {
  let t: TestServer;
  let oidc: OidcServer;
  let admin: Auth;

  const gql = (q: string, v: Record<string, unknown>) => t.gql(q, v, admin);
  const ok = <T = Record<string, any>>(r: GqlResult<T>): T => {
    if (r.errors) throw new Error(`unexpected errors: ${r.raw}`);
    return r.data!;
  };
  const create = (extra: Record<string, unknown>) =>
    gql(`mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { ${SERVICE} } }`, {
      i: {
        name: `Options ${Object.keys(extra).join(' ') || 'default'} ${Math.random().toString(36).slice(2, 6)}`,
        authType: 'OAUTH2',
        authorizeUrl: oidc.authorizeUrl,
        accessTokenUrl: oidc.tokenUrl,
        profileUrl: oidc.userinfoUrl,
        clientId: 'options',
        clientSecret: SECRET,
        scopes: ['openid'],
        apiBaseUrls: [`${oidc.issuer}/`],
        ...extra,
      },
    });
  /** Connects through the real authorization server; returns what its authorization endpoint saw. */
  const connect = async (slug: string, name: string) => {
    const before = (await oidc.stats()).authorize;
    const r = ok(
      await gql(
        'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl connection { linkName } } }',
        { i: { name, service: slug } },
      ),
    ).createAndConnect;
    const page = await new Browser().follow(r.authorizeUrl);
    expect(page.text).toContain('Connected');
    const status = ok(
      await gql('query($l: String) { connection(linkName: $l) { status } }', { l: r.connection.linkName }),
    ).connection.status;
    const after = (await oidc.stats()).authorize;
    return {
      status,
      withPkce: after.withPkce - before.withPkce,
      withoutPkce: after.withoutPkce - before.withoutPkce,
    };
  };

  beforeAll(async () => {
    t = await startTestServer(db, { CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true' });
    oidc = await startOidcServer(
      [
        {
          client_id: 'options',
          client_secret: SECRET,
          redirect_uris: [`${t.url}/oauth/callback`],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      { pkceRequired: false },
    );
    // An API token: the authorize link then needs no console session in the test's browser.
    const token = ok(
      await t.gql(
        'mutation { createApiToken(input: {name: "oauth-options"}) { token } }',
        {},
        await t.adminAuth(),
      ),
    ).createApiToken.token;
    admin = { token };
  });
  afterAll(async () => {
    await t?.close();
    await oidc?.stop();
  });

  test('PKCE off: the authorization request carries no challenge, and the flow completes', async () => {
    const off = ok(
      await create({
        pkce: false,
        tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
        authorizeParams: { prompt: 'consent' },
      }),
    ).createCustomService;
    expect(off).toMatchObject({
      pkce: false,
      tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      authorizeParams: { prompt: 'consent' },
    });
    expect(await connect(off.slug, 'Without PKCE')).toEqual({
      status: 'CONNECTED',
      withPkce: 0,
      withoutPkce: 1,
    });

    // The default is on; turning it back on is an ordinary update.
    const on = ok(await create({})).createCustomService;
    expect(on).toMatchObject({ pkce: true, tokenEndpointAuthMethod: null });
    expect(await connect(on.slug, 'With PKCE')).toEqual({ status: 'CONNECTED', withPkce: 1, withoutPkce: 0 });
    const updated = ok(
      await gql(`mutation($i: UpdateServiceInput!) { updateService(input: $i) { ${SERVICE} } }`, {
        i: { id: off.id, pkce: true, tokenEndpointAuthMethod: null },
      }),
    ).updateService;
    expect(updated).toMatchObject({ pkce: true, tokenEndpointAuthMethod: null });
    expect(await connect(off.slug, 'PKCE again')).toEqual({
      status: 'CONNECTED',
      withPkce: 1,
      withoutPkce: 0,
    });
  });

  test('the options are OAuth 2.0 ones: refused with their field elsewhere', async () => {
    const oauth1 = await gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id } }',
      {
        i: {
          name: 'OAuth1 with PKCE',
          authType: 'OAUTH1',
          requestTokenUrl: 'https://one.example.com/request',
          authorizeUrl: 'https://one.example.com/authorize',
          accessTokenUrl: 'https://one.example.com/access',
          clientId: 'c',
          clientSecret: 's',
          apiBaseUrls: ['https://one.example.com/'],
          pkce: false,
        },
      },
    );
    expect(oauth1.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pkce' });
    const basic = await gql(
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id } }',
      {
        i: {
          name: 'Basic with a token method',
          authType: 'BASIC',
          apiBaseUrls: ['https://basic.example.com/'],
          tokenEndpointAuthMethod: 'CLIENT_SECRET_POST',
        },
      },
    );
    expect(basic.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'tokenEndpointAuthMethod',
    });
  });
});
