import { request } from 'undici';
import { authorizationHeader, oauth1ProtocolParams } from '../sign/oauth1';
import { rsaConsumer, send } from '../test-support/oauth1-client';
import { startOAuth1Provider, type OAuth1Provider } from '../test-support/oauth1-provider';
import type { Credentials, OAuth1SignatureMethod, ServiceDefinition } from '../types';
import { authenticate } from './authenticate';
import { testCredentials } from './test-credentials';

const { client, consumers } = rsaConsumer('consumer-1', 'consumer secret/with+specials');

let provider: OAuth1Provider;
let service: ServiceDefinition;
let credentials: Credentials;

/** The three-legged dance signed by our signer, so the resource tests do not depend on grant. */
async function obtainTokens(): Promise<Credentials> {
  const keys = { consumerKey: client.clientId, consumerSecret: client.clientSecret };
  const initiate = `${provider.url}/oauth/request_token`;
  const params = oauth1ProtocolParams({ method: 'POST', url: initiate }, keys, {
    extraParams: { oauth_callback: 'http://127.0.0.1:1/cb' },
  });
  const temp = new URLSearchParams(
    (await send({ method: 'POST', url: initiate, headers: { Authorization: authorizationHeader(params) } }))
      .text,
  );
  const authorize = await request(`${provider.url}/oauth/authorize?oauth_token=${temp.get('oauth_token')}`);
  await authorize.body.dump();
  const verifier = new URL(String(authorize.headers.location)).searchParams.get('oauth_verifier')!;
  const tokenUrl = `${provider.url}/oauth/access_token`;
  const accessParams = oauth1ProtocolParams(
    { method: 'POST', url: tokenUrl },
    { ...keys, token: temp.get('oauth_token')!, tokenSecret: temp.get('oauth_token_secret')! },
    { extraParams: { oauth_verifier: verifier } },
  );
  const token = new URLSearchParams(
    (
      await send({
        method: 'POST',
        url: tokenUrl,
        headers: { Authorization: authorizationHeader(accessParams) },
      })
    ).text,
  );
  return { type: 'OAUTH1', token: token.get('oauth_token')!, tokenSecret: token.get('oauth_token_secret')! };
}

beforeAll(async () => {
  provider = await startOAuth1Provider(consumers);
  service = {
    slug: 'oauth1-test',
    displayName: 'OAuth1 test',
    authType: 'OAUTH1',
    paramType: 'HEADERS',
    requestTokenUrl: `${provider.url}/oauth/request_token`,
    authorizeUrl: `${provider.url}/oauth/authorize`,
    accessTokenUrl: `${provider.url}/oauth/access_token`,
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    apiBaseUrls: [`${provider.url}/api/`],
    testRequest: { method: 'GET', url: '/api/me' },
  };
  credentials = await obtainTokens();
});

afterAll(() => provider.close());

describe('signed requests against an OAuth 1.0a provider on a non-default port', () => {
  it('the provider runs on a port that must appear in the base string', () => {
    expect([80, 443]).not.toContain(provider.port);
  });

  it('GET with a query string, Authorization header', async () => {
    const res = await send(
      authenticate(
        { method: 'GET', url: `${provider.url}/api/resource?b=2&a=x%20y&a=%2B&empty=`, headers: {} },
        credentials,
        service,
        client,
      ),
    );
    expect(res.status).toBe(200);
    expect(res.json().params).toEqual([
      ['b', '2'],
      ['a', 'x y'],
      ['a', '+'],
      ['empty', ''],
    ]);
  });

  it('POST with a form body, which the signature covers', async () => {
    const signed = authenticate(
      {
        method: 'POST',
        url: `${provider.url}/api/resource`,
        headers: {},
        body: { note: "it's 100% (ok)", tag: ['b', 'a'] },
      },
      credentials,
      service,
      client,
    );
    const res = await send(signed);
    expect(res.status).toBe(200);
    expect(res.json().params).toEqual([
      ['note', "it's 100% (ok)"],
      ['tag', 'b'],
      ['tag', 'a'],
    ]);

    // The same signature over a changed body must fail: the verifier really checks the form.
    const rejectedBefore = provider.counts.rejected;
    const tampered = await send({
      ...authenticate(
        { method: 'POST', url: `${provider.url}/api/resource`, headers: {}, body: { note: 'a' } },
        credentials,
        service,
        client,
      ),
      body: 'note=b',
    });
    expect(tampered.status).toBe(401);
    expect(provider.counts.rejected).toBe(rejectedBefore + 1);
  });

  it('protocol parameters in the form body and in the query string', async () => {
    const body = await send(
      authenticate(
        { method: 'POST', url: `${provider.url}/api/resource?q=1`, headers: {}, body: { a: '1' } },
        credentials,
        { ...service, paramType: 'FORM_DATA' },
        client,
      ),
    );
    expect(body.status).toBe(200);
    expect(body.json().params).toEqual([
      ['q', '1'],
      ['a', '1'],
    ]);
    const query = await send(
      authenticate(
        { method: 'GET', url: `${provider.url}/api/resource?q=1`, headers: {} },
        credentials,
        { ...service, paramType: 'QUERY_STRING' },
        client,
      ),
    );
    expect(query.status).toBe(200);
    expect(query.json().params).toEqual([['q', '1']]);
  });

  it.each<OAuth1SignatureMethod>(['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT', 'RSA-SHA1'])(
    'signature method %s',
    async (method) => {
      const res = await send(
        authenticate(
          { method: 'POST', url: `${provider.url}/api/resource?x=1`, headers: {}, body: { y: '2' } },
          credentials,
          { ...service, oauth1SignatureMethod: method },
          client,
        ),
      );
      expect(res.status).toBe(200);
      expect(provider.acceptedMethods.at(-1)).toBe(method);
    },
  );

  it('a wrong token secret is rejected', async () => {
    const wrong = { ...credentials, tokenSecret: 'nope' } as Credentials;
    const res = await send(
      authenticate(
        { method: 'GET', url: `${provider.url}/api/resource`, headers: {} },
        wrong,
        service,
        client,
      ),
    );
    expect(res.status).toBe(401);
    expect(provider.lastRejection).toBe('signature_invalid');
  });

  it('testCredentials runs the service test request', async () => {
    await expect(testCredentials(credentials, service, client)).resolves.toEqual({ ok: true, status: 200 });
    const failed = await testCredentials(
      { ...credentials, tokenSecret: 'nope' } as Credentials,
      service,
      client,
    );
    expect(failed).toMatchObject({ ok: false, status: 401, error: { code: 'INVALID_CREDENTIALS' } });
  });
});
