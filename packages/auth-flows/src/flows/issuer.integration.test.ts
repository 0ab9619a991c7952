import { Browser } from '../test-support/browser';
import { startHostApp, type HostApp } from '../test-support/host-app';
import { startOidcServer, type OidcClient, type OidcServer } from '../test-support/oidc';
import type { ServiceDefinition } from '../types';
import { issuerProblem } from './issuer';
import type { FlowOutcome } from './normalize';

// RFC 9207: oidc-provider sends `iss` with every authorization response (and advertises
// authorization_response_iss_parameter_supported). A response naming another issuer is a mix-up: the code
// belongs to another server, and must never reach this service's token endpoint with its client secret.

let app: HostApp;
let oidc: OidcServer;
let service: ServiceDefinition;
let client: OidcClient;
let counter = 0;

function newAttempt(over: Partial<ServiceDefinition> = {}): string {
  counter += 1;
  const id = `iss-attempt-${counter}`;
  app.attempts.set(id, {
    service: { ...service, ...over },
    client: { clientId: client.client_id, clientSecret: client.client_secret },
    scopes: [],
  });
  return id;
}

const outcomeOf = (attemptId: string): FlowOutcome => {
  const found = app.completions.filter((c) => c.attemptId === attemptId);
  expect(found).toHaveLength(1);
  return found[0]!.outcome;
};

/** Runs the flow to the provider's redirect back, lets `edit` change it, then lands on the callback. */
async function landWith(attemptId: string, edit: (callback: URL) => void): Promise<FlowOutcome> {
  const browser = new Browser();
  const page = await browser.follow(app.connectUrl(attemptId), (url) => url.startsWith(app.redirectUri));
  const callback = new URL(page.stoppedAt!);
  expect(callback.searchParams.get('iss')).toBe(oidc.issuer);
  edit(callback);
  await browser.get(callback.toString());
  return outcomeOf(attemptId);
}

beforeAll(async () => {
  app = await startHostApp();
  client = {
    client_id: 'iss-client',
    client_secret: 'iss-client-secret-000',
    redirect_uris: [app.redirectUri],
    token_endpoint_auth_method: 'client_secret_post',
  };
  oidc = await startOidcServer([client]);
  service = {
    slug: 'oidc-iss',
    displayName: 'OIDC iss',
    authType: 'OAUTH2',
    paramType: 'HEADERS',
    authorizeUrl: oidc.authorizeUrl,
    accessTokenUrl: oidc.tokenUrl,
    scopes: ['openid'],
    defaultScopes: ['openid'],
    scopeDelimiter: ' ',
    apiBaseUrls: [`${oidc.issuer}/`],
    tokenEndpointAuthMethod: 'client_secret_post',
  };
}, 60_000);

afterAll(async () => {
  await oidc.stop();
  await app.close();
});

describe('RFC 9207: the authorization response names its issuer', () => {
  it('the right issuer (the authorize URL’s origin, or the declared one) connects', async () => {
    expect((await landWith(newAttempt(), () => undefined)).ok).toBe(true);
    const declared = newAttempt({ issuer: oidc.issuer, issParameterSupported: true });
    expect((await landWith(declared, () => undefined)).ok).toBe(true);
  });

  it('another issuer ends the flow before the code is exchanged', async () => {
    const before = (await oidc.stats()).byGrantType.authorization_code ?? 0;
    const outcome = await landWith(newAttempt(), (cb) =>
      cb.searchParams.set('iss', 'https://mix-up.example'),
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'ISSUER_MISMATCH' } });
    // The code never reached the token endpoint.
    expect((await oidc.stats()).byGrantType.authorization_code ?? 0).toBe(before);
  });

  it('a declared issuer is compared as a string: the same origin with another path is another issuer', async () => {
    const attemptId = newAttempt({ issuer: `${oidc.issuer}/tenant-a` });
    expect(await landWith(attemptId, () => undefined)).toMatchObject({
      ok: false,
      error: { code: 'ISSUER_MISMATCH' },
    });
  });

  it('a server that advertises the parameter must send it', async () => {
    const attemptId = newAttempt({ issParameterSupported: true });
    const outcome = await landWith(attemptId, (cb) => cb.searchParams.delete('iss'));
    expect(outcome).toMatchObject({ ok: false, error: { code: 'ISSUER_MISMATCH' } });
  });

  it('an error response is checked too', async () => {
    const attemptId = newAttempt();
    const outcome = await landWith(attemptId, (cb) => {
      cb.searchParams.delete('code');
      cb.searchParams.set('error', 'access_denied');
      cb.searchParams.set('iss', 'https://mix-up.example');
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'ISSUER_MISMATCH' } });
  });
});

describe('issuerProblem', () => {
  const base = { ...({} as ServiceDefinition), displayName: 'X', authType: 'OAUTH2' as const };
  const at = (authorizeUrl: string, over: Partial<ServiceDefinition> = {}) => ({
    ...base,
    authorizeUrl,
    ...over,
  });

  it('without a declared issuer, iss must be a URL on the authorize endpoint’s origin', () => {
    const s = at('https://sso.example/realms/main/protocol/openid-connect/auth');
    expect(issuerProblem(s, { iss: 'https://sso.example/realms/main' })).toBeNull();
    expect(issuerProblem(s, {})).toBeNull();
    for (const iss of [
      'https://evil.example',
      'http://sso.example',
      'https://sso.example/?x=1',
      'nope',
      ['a'],
    ])
      expect(issuerProblem(s, { iss })?.code).toBe('ISSUER_MISMATCH');
  });

  it('OAuth 1.0a has no iss', () => {
    expect(issuerProblem({ ...base, authType: 'OAUTH1' }, { iss: 'https://evil.example' })).toBeNull();
  });
});
