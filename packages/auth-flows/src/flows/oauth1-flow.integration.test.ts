import { authenticate } from '../authenticate/authenticate';
import { Browser } from '../test-support/browser';
import { startHostApp, type HostApp } from '../test-support/host-app';
import { rsaConsumer, send } from '../test-support/oauth1-client';
import { startOAuth1Provider, type OAuth1Provider } from '../test-support/oauth1-provider';
import type { Credentials, OAuth1SignatureMethod, ServiceDefinition } from '../types';
import { requestOAuthSignsPortsCorrectly } from './request-oauth-check';

const { client, consumers } = rsaConsumer('grant-consumer', 'grant consumer secret!');

let app: HostApp;
let provider: OAuth1Provider;
let service: ServiceDefinition;
let credentials: Credentials;

beforeAll(async () => {
  app = await startHostApp();
  provider = await startOAuth1Provider(consumers);
  service = {
    slug: 'oauth1-test',
    displayName: 'OAuth 1.0a test',
    authType: 'OAUTH1',
    paramType: 'HEADERS',
    requestTokenUrl: `${provider.url}/oauth/request_token`,
    authorizeUrl: `${provider.url}/oauth/authorize`,
    accessTokenUrl: `${provider.url}/oauth/access_token`,
    profileUrl: `${provider.url}/api/me`,
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ',',
    apiBaseUrls: [`${provider.url}/api/`],
  };
});

afterAll(async () => {
  await provider.close();
  await app.close();
});

describe('OAuth 1.0a dance through grant, provider on a non-default port', () => {
  it('grant signs URLs with a port correctly (the install-time request-oauth fix is applied)', () => {
    expect([80, 443]).not.toContain(provider.port);
    expect(requestOAuthSignsPortsCorrectly()).toBe(true);
  });

  it('completes the dance: request token, authorize, access token and the signed profile request', async () => {
    app.attempts.set('oauth1-attempt', { service, client, scopes: [] });
    const page = await new Browser().follow(app.connectUrl('oauth1-attempt'));
    expect(page.status).toBe(200);
    const outcome = app.completions.find((c) => c.attemptId === 'oauth1-attempt')!.outcome;
    if (!outcome.ok) throw outcome.error;
    expect(outcome.credentials).toEqual({
      type: 'OAUTH1',
      token: expect.any(String),
      tokenSecret: expect.any(String),
    });
    expect(outcome.account).toEqual({ id: 'u-1001', name: 'Ada Lovelace', email: 'ada@example.test' });
    expect(outcome.raw).toEqual({ user_id: 'u-1001', screen_name: 'ada' });
    // Every signed step was verified by the provider, none was waved through.
    expect(provider.counts).toMatchObject({ requestToken: 1, accessToken: 1, rejected: 0 });
    credentials = outcome.credentials;
  });

  it('then signs a GET with a query string', async () => {
    const res = await send(
      authenticate(
        { method: 'GET', url: `${provider.url}/api/resource?q=caf%C3%A9&n=1`, headers: {} },
        credentials,
        service,
        client,
      ),
    );
    expect(res.status).toBe(200);
    expect(res.json().params).toEqual([
      ['q', 'café'],
      ['n', '1'],
    ]);
  });

  it('then signs a POST with a form body', async () => {
    const res = await send(
      authenticate(
        {
          method: 'POST',
          url: `${provider.url}/api/resource`,
          headers: {},
          body: { text: 'hello world & more' },
        },
        credentials,
        service,
        client,
      ),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ method: 'POST', params: [['text', 'hello world & more']] });
  });

  it.each<OAuth1SignatureMethod>(['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT', 'RSA-SHA1'])(
    'and with %s',
    async (method) => {
      const res = await send(
        authenticate(
          { method: 'GET', url: `${provider.url}/api/resource?m=1`, headers: {} },
          credentials,
          { ...service, oauth1SignatureMethod: method },
          client,
        ),
      );
      expect(res.status).toBe(200);
      expect(provider.acceptedMethods.at(-1)).toBe(method);
    },
  );

  it("a callback that does not carry this session's request token is refused", async () => {
    const browser = new Browser();
    app.attempts.set('oauth1-forged', { service, client, scopes: [] });
    const page = await browser.follow(app.connectUrl('oauth1-forged'), (url) =>
      url.startsWith(app.redirectUri),
    );
    const forged = new URL(page.stoppedAt!);
    forged.searchParams.set('oauth_token', 'someone-elses-token');
    const before = app.completions.length;
    await browser.get(forged.toString());
    expect(app.completions[before]).toMatchObject({
      attemptId: undefined,
      outcome: { ok: false, error: { code: 'STATE_MISMATCH' } },
    });
  });
});
