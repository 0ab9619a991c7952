import { AuthFlowError } from '../errors';
import { startOidcServer, type OidcClient, type OidcServer } from '../test-support/oidc';
import type { Credentials, OAuth2Credentials, ServiceDefinition } from '../types';
import { requestClientCredentialsToken } from './client-credentials';
import { RefreshCoordinator } from './coordinator';

// The client credentials grant against oidc-provider with features.clientCredentials on: a machine client
// (no redirect URI, no response type) limited to two API scopes.
const machine: OidcClient = {
  client_id: 'machine-basic',
  client_secret: 'machine.secret-0123456789',
  redirect_uris: [],
  response_types: [],
  grant_types: ['client_credentials'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'api:read api:write',
};
const machinePost: OidcClient = {
  ...machine,
  client_id: 'machine-post',
  token_endpoint_auth_method: 'client_secret_post',
};

let oidc: OidcServer;
let service: ServiceDefinition;
const client = (c: OidcClient) => ({ clientId: c.client_id, clientSecret: c.client_secret });
const granted = async () => (await oidc.stats()).byGrantType.client_credentials ?? 0;

beforeAll(async () => {
  oidc = await startOidcServer([machine, machinePost], { accessTokenTtlSeconds: 300 });
  service = {
    slug: 'machine',
    displayName: 'Machine API',
    authType: 'OAUTH2',
    grantType: 'client_credentials',
    paramType: 'HEADERS',
    accessTokenUrl: oidc.tokenUrl,
    scopes: ['api:read'],
    defaultScopes: ['api:read'],
    scopeDelimiter: ' ',
    apiBaseUrls: [`${oidc.issuer}/`],
    tokenEndpointAuthMethod: 'client_secret_basic',
  };
}, 60_000);

afterAll(() => oidc.stop());

describe('client credentials against oidc-provider', () => {
  it('obtains a token with client_secret_basic and with client_secret_post, scoped as asked', async () => {
    const before = await granted();
    const basic = await requestClientCredentialsToken(service, client(machine), { now: () => 7_000 });
    expect(basic).toMatchObject({ type: 'OAUTH2', tokenType: 'bearer', scopes: ['api:read'] });
    expect(basic.expiresAt).toBe(7_000 + 300_000);
    const post = await requestClientCredentialsToken(
      { ...service, tokenEndpointAuthMethod: 'client_secret_post' },
      client(machinePost),
    );
    expect(post.accessToken).not.toBe(basic.accessToken);
    expect((await granted()) - before).toBe(2);
  });

  it('a wrong secret is invalid_client, terminal, and the error does not echo it', async () => {
    const error = await requestClientCredentialsToken(service, {
      ...client(machine),
      clientSecret: 'wrong-1',
    }).catch((e: unknown) => e as AuthFlowError);
    expect(error).toMatchObject({ oauthError: 'invalid_client', terminal: true });
    expect((error as AuthFlowError).message).not.toContain('wrong-1');
  });

  it('a scope the client may not have is invalid_scope, terminal', async () => {
    const error = await requestClientCredentialsToken(
      { ...service, defaultScopes: ['openid'] },
      client(machine),
    ).catch((e: unknown) => e as AuthFlowError);
    expect(error).toMatchObject({ oauthError: 'invalid_scope', terminal: true });
  });

  it('an expired token is requested again once for 20 concurrent callers, without a refresh token', async () => {
    const first = await requestClientCredentialsToken(service, client(machine));
    const state = { current: { ...first, expiresAt: Date.now() - 1 } as Credentials, saves: 0 };
    const coordinator = new RefreshCoordinator();
    const before = await granted();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        coordinator.ensureFresh('machine-1', {
          service,
          client: client(machine),
          reload: async () => state.current,
          save: async (next) => void ((state.current = next), (state.saves += 1)),
        }),
      ),
    );
    expect((await granted()) - before).toBe(1);
    expect(state.saves).toBe(1);
    const tokens = new Set(results.map((r) => (r.credentials as OAuth2Credentials).accessToken));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).not.toBe(first.accessToken);
  });
});
