import { request } from 'undici';
import { AuthFlowError } from '../errors';
import { obtainTokensDirect } from '../test-support/direct-code-flow';
import { startOidcServer, type OidcClient, type OidcServer } from '../test-support/oidc';
import type { ClientCredentials, Credentials, OAuth2Credentials, ServiceDefinition } from '../types';
import { RefreshCoordinator } from './coordinator';
import { InMemoryLock } from './lock';
import { refreshOAuth2 } from './refresh-oauth2';

const postClient: OidcClient = {
  client_id: 'app-post',
  client_secret: 'secret-post-0123456789',
  redirect_uris: ['http://127.0.0.1:9/cb'],
  token_endpoint_auth_method: 'client_secret_post',
};
const basicClient: OidcClient = {
  client_id: 'app-basic',
  client_secret: 'secret.basic-0123456789',
  redirect_uris: ['http://127.0.0.1:9/cb'],
  token_endpoint_auth_method: 'client_secret_basic',
};

let oidc: OidcServer;
let service: ServiceDefinition;

const creds = (c: OidcClient): ClientCredentials => ({
  clientId: c.client_id,
  clientSecret: c.client_secret,
});

async function connected(c: OidcClient): Promise<OAuth2Credentials> {
  const tokens = await obtainTokensDirect(oidc, c);
  expect(tokens.refresh_token).toEqual(expect.any(String));
  return {
    type: 'OAUTH2',
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    tokenType: 'bearer',
    expiresAt: Date.now() + tokens.expires_in! * 1000,
    scopes: tokens.scope!.split(' '),
  };
}

async function userinfoStatus(accessToken: string): Promise<number> {
  const res = await request(oidc.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.body.dump();
  return res.statusCode;
}

async function refreshFailure(promise: Promise<unknown>): Promise<AuthFlowError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthFlowError);
  return error as AuthFlowError;
}

/** A stored authorization, as the API keeps it: reload and save with a count of writes. */
function store(initial: Credentials) {
  const state = { current: initial, saves: 0 };
  return {
    state,
    reload: async () => state.current,
    save: async (next: OAuth2Credentials) => {
      state.current = next;
      state.saves += 1;
    },
  };
}

beforeAll(async () => {
  oidc = await startOidcServer([postClient, basicClient]);
  service = {
    slug: 'oidc-test',
    displayName: 'OIDC test',
    authType: 'OAUTH2',
    paramType: 'HEADERS',
    authorizeUrl: oidc.authorizeUrl,
    accessTokenUrl: oidc.tokenUrl,
    revokeUrl: oidc.revokeUrl,
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    apiBaseUrls: [`${oidc.issuer}/`],
    tokenEndpointAuthMethod: 'client_secret_post',
  };
}, 60_000);

afterAll(() => oidc.stop());

describe('refresh against oidc-provider (PKCE required, rotating refresh tokens)', () => {
  it('refreshes with client_secret_post and rotates the refresh token', async () => {
    const before = await connected(postClient);
    const after = await refreshOAuth2(service, creds(postClient), before, { now: () => 5_000 });
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toEqual(expect.any(String));
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expiresAt).toBe(5_000 + 3_600_000);
    expect(after.scopes).toEqual(expect.arrayContaining(['openid', 'offline_access', 'email', 'profile']));
    expect(after.idToken).toEqual(expect.any(String));
    expect(await userinfoStatus(after.accessToken)).toBe(200);
  });

  it('refreshes with client_secret_basic', async () => {
    const before = await connected(basicClient);
    const after = await refreshOAuth2(
      { ...service, tokenEndpointAuthMethod: 'client_secret_basic' },
      creds(basicClient),
      before,
    );
    expect(await userinfoStatus(after.accessToken)).toBe(200);
  });

  it('a spent refresh token gets invalid_grant, terminal, and the reuse revokes the whole grant', async () => {
    const first = await connected(postClient);
    const second = await refreshOAuth2(service, creds(postClient), first);
    const reused = await refreshFailure(refreshOAuth2(service, creds(postClient), first));
    expect(reused).toMatchObject({
      code: 'TOKEN_ENDPOINT_ERROR',
      oauthError: 'invalid_grant',
      terminal: true,
      transient: false,
    });
    expect(reused.message).not.toContain(first.refreshToken!);
    // This is the race single-flight prevents: the legitimate newest token dies with the reused one.
    const afterReuse = await refreshFailure(refreshOAuth2(service, creds(postClient), second));
    expect(afterReuse.oauthError).toBe('invalid_grant');
  });

  it('a wrong client secret is invalid_client, terminal', async () => {
    const before = await connected(postClient);
    const error = await refreshFailure(
      refreshOAuth2(service, { ...creds(postClient), clientSecret: 'wrong' }, before),
    );
    expect(error).toMatchObject({ oauthError: 'invalid_client', terminal: true });
  });

  it('50 concurrent refreshes of one authorization make exactly one token request', async () => {
    const stored = store({ ...(await connected(postClient)), expiresAt: Date.now() - 1 });
    const coordinator = new RefreshCoordinator();
    const before = (await oidc.stats()).byGrantType.refresh_token ?? 0;

    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        coordinator.ensureFresh('authorization-1', {
          service,
          client: creds(postClient),
          reload: stored.reload,
          save: stored.save,
        }),
      ),
    );

    expect(((await oidc.stats()).byGrantType.refresh_token ?? 0) - before).toBe(1);
    expect(stored.state.saves).toBe(1);
    const tokens = new Set(results.map((r) => (r.credentials as OAuth2Credentials).accessToken));
    expect(tokens.size).toBe(1);
    expect(await userinfoStatus([...tokens][0]!)).toBe(200);
  });

  it('two processes sharing a lock refresh once: the waiter re-reads and finds fresh credentials', async () => {
    const stored = store({ ...(await connected(postClient)), expiresAt: Date.now() - 1 });
    const lock = new InMemoryLock();
    const processA = new RefreshCoordinator({ lock });
    const processB = new RefreshCoordinator({ lock });
    const before = (await oidc.stats()).byGrantType.refresh_token ?? 0;
    const input = { service, client: creds(postClient), reload: stored.reload, save: stored.save };

    const [a, b] = await Promise.all([
      processA.ensureFresh('authorization-2', input),
      processB.ensureFresh('authorization-2', input),
    ]);

    expect(((await oidc.stats()).byGrantType.refresh_token ?? 0) - before).toBe(1);
    expect([a.refreshed, b.refreshed].sort()).toEqual([false, true]);
    expect((a.credentials as OAuth2Credentials).accessToken).toBe(
      (b.credentials as OAuth2Credentials).accessToken,
    );
  });

  it('a 401 forces one refresh even before expiry; a second caller holding the old token does not refresh again', async () => {
    const stored = store(await connected(postClient));
    const coordinator = new RefreshCoordinator();
    const rejected = (stored.state.current as OAuth2Credentials).accessToken;
    const input = {
      service,
      client: creds(postClient),
      reload: stored.reload,
      save: stored.save,
      rejectedAccessToken: rejected,
    };

    expect(
      (await coordinator.ensureFresh('authorization-3', { ...input, rejectedAccessToken: undefined }))
        .refreshed,
    ).toBe(false);
    expect((await coordinator.ensureFresh('authorization-3', input)).refreshed).toBe(true);
    expect((await coordinator.ensureFresh('authorization-3', input)).refreshed).toBe(false);
    expect(stored.state.saves).toBe(1);
  });
});
