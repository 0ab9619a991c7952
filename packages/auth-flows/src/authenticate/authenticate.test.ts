import { AuthFlowError } from '../errors';
import type { Credentials, OutgoingRequest, ServiceDefinition } from '../types';
import { authenticate } from './authenticate';
import { isAllowedUrl } from './hosts';

const service = (over: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
  slug: 'acme',
  displayName: 'Acme',
  authType: 'OAUTH2',
  paramType: 'HEADERS',
  authorizeUrl: 'https://acme.example/authorize',
  accessTokenUrl: 'https://acme.example/token',
  scopes: [],
  defaultScopes: [],
  scopeDelimiter: ' ',
  apiBaseUrls: ['https://api.acme.example/v1/'],
  ...over,
});
const oauth2: Credentials = { type: 'OAUTH2', accessToken: 'at-123', tokenType: 'bearer', scopes: [] };
const get = (url = 'https://api.acme.example/v1/items?q=a%20b&x=1'): OutgoingRequest => ({
  method: 'get',
  url,
  headers: { Accept: 'application/json' },
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as AuthFlowError).code;
  }
  return undefined;
};

describe('authenticate: OAuth 2.0', () => {
  it('sends a bearer header and replaces any caller Authorization header', () => {
    const out = authenticate(
      { ...get(), headers: { authorization: 'Bearer stolen', Accept: 'x' } },
      oauth2,
      service(),
    );
    expect(out.headers).toEqual({ Accept: 'x', Authorization: 'Bearer at-123' });
    expect(out.method).toBe('GET');
  });

  it('uses a provider-specific header when the service names one', () => {
    const out = authenticate(
      get(),
      oauth2,
      service({ accessTokenHeader: { name: 'X-Shopify-Access-Token' } }),
    );
    expect(out.headers['X-Shopify-Access-Token']).toBe('at-123');
    expect(out.headers.Authorization).toBeUndefined();
  });

  it('appends access_token to the query without re-encoding the rest', () => {
    const out = authenticate(get(), oauth2, service({ paramType: 'QUERY_STRING' }));
    expect(out.url).toBe('https://api.acme.example/v1/items?q=a%20b&x=1&access_token=at-123');
  });

  it('puts access_token in a form body, and falls back to the query when there can be none', () => {
    const form = authenticate(
      { method: 'POST', url: 'https://api.acme.example/v1/items', headers: {}, body: { name: 'a b' } },
      oauth2,
      service({ paramType: 'FORM_DATA' }),
    );
    expect(form.body).toBe('name=a%20b&access_token=at-123');
    expect(form.headers['Content-Type']).toBe('application/x-www-form-urlencoded');

    const json = authenticate(
      {
        method: 'POST',
        url: 'https://api.acme.example/v1/items',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      oauth2,
      service({ paramType: 'FORM_DATA' }),
    );
    expect(json.body).toBe('{}');
    expect(json.url).toBe('https://api.acme.example/v1/items?access_token=at-123');

    const bodiless = authenticate(
      get('https://api.acme.example/v1/items'),
      oauth2,
      service({ paramType: 'FORM_DATA' }),
    );
    expect(bodiless.url).toBe('https://api.acme.example/v1/items?access_token=at-123');
  });

  it('does not modify its input', () => {
    const input = get();
    const copy = JSON.parse(JSON.stringify(input));
    authenticate(input, oauth2, service());
    expect(input).toEqual(copy);
  });
});

describe('authenticate: API key and Basic', () => {
  const key: Credentials = { type: 'API_KEY', apiKey: 'k-1' };
  const keyed = (over: Partial<ServiceDefinition>) =>
    service({
      authType: 'API_KEY',
      authorizeUrl: undefined,
      accessTokenUrl: undefined,
      apiKeyParamName: 'X-Api-Key',
      ...over,
    });

  it('places the key under its name in a header, with a prefix', () => {
    expect(authenticate(get(), key, keyed({})).headers['X-Api-Key']).toBe('k-1');
    expect(
      authenticate(get(), key, keyed({ apiKeyParamName: 'Authorization', apiKeyPrefix: 'Bearer ' })).headers
        .Authorization,
    ).toBe('Bearer k-1');
  });

  it('places the key in the query or the form body', () => {
    expect(
      authenticate(get(), key, keyed({ paramType: 'QUERY_STRING', apiKeyParamName: 'api key' })).url,
    ).toBe('https://api.acme.example/v1/items?q=a%20b&x=1&api%20key=k-1');
    const post = {
      method: 'POST',
      url: 'https://api.acme.example/v1/x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    };
    expect(authenticate(post, key, keyed({ paramType: 'FORM_DATA', apiKeyParamName: 'key' })).body).toBe(
      'a=1&key=k-1',
    );
  });

  it('sends Basic credentials as RFC 7617 says, whatever the param type', () => {
    const basic: Credentials = { type: 'BASIC', username: 'ådå', password: 'p:ss' };
    const out = authenticate(
      get(),
      basic,
      service({
        authType: 'BASIC',
        paramType: 'QUERY_STRING',
        authorizeUrl: undefined,
        accessTokenUrl: undefined,
      }),
    );
    expect(out.headers.Authorization).toBe(`Basic ${Buffer.from('ådå:p:ss').toString('base64')}`);
    expect(out.url).toBe(get().url);
    expect(
      codeOf(() => authenticate(get(), { ...basic, username: 'a:b' }, service({ authType: 'BASIC' }))),
    ).toBe('INVALID_CREDENTIALS');
  });

  it('refuses values that would split a header', () => {
    expect(codeOf(() => authenticate(get(), { type: 'API_KEY', apiKey: 'k\r\nX-Evil: 1' }, keyed({})))).toBe(
      'INVALID_CREDENTIALS',
    );
    expect(
      codeOf(() => authenticate(get(), { ...oauth2, accessToken: 'a\nb' } as Credentials, service())),
    ).toBe('INVALID_CREDENTIALS');
  });
});

describe('authenticate: guards', () => {
  it('refuses credentials of another auth type', () => {
    expect(codeOf(() => authenticate(get(), { type: 'API_KEY', apiKey: 'k' }, service()))).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('refuses to attach credentials outside the API hosts', () => {
    for (const url of [
      'https://evil.example/v1',
      'http://api.acme.example/v1/items',
      'https://api.acme.example.evil.net/',
      'https://api.acme.example:8443/',
      'https://u:p@api.acme.example/',
      'nonsense',
    ]) {
      expect(codeOf(() => authenticate(get(url), oauth2, service()))).toBe('HOST_NOT_ALLOWED');
    }
    expect(
      authenticate(get('https://other.example/x'), oauth2, service(), undefined, { allowAnyHost: true })
        .headers.Authorization,
    ).toBe('Bearer at-123');
  });

  it('never matches an unresolved subdomain template', () => {
    expect(
      isAllowedUrl({ apiBaseUrls: ['https://[subdomain].zendesk.com/'] }, 'https://x.zendesk.com/'),
    ).toBe(false);
    expect(
      isAllowedUrl({ apiBaseUrls: ['https://API.acme.example:443/'] }, 'https://api.acme.example/x'),
    ).toBe(true);
  });
});

describe('authenticate: OAuth 1.0a', () => {
  const oauth1Service = service({
    authType: 'OAUTH1',
    requestTokenUrl: 'http://example.com/initiate',
    authorizeUrl: 'http://example.com/authorize',
    accessTokenUrl: 'http://example.com/token',
    apiBaseUrls: ['http://example.com/'],
  });
  const credentials: Credentials = { type: 'OAUTH1', token: 'kkk9d7dh3k39sjv7', tokenSecret: 'dh893hdasih9' };
  const client = { clientId: '9djdj82h48djs9d2', clientSecret: 'j49sk3j29djd' };
  const rfcRequest: OutgoingRequest = {
    method: 'POST',
    url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'c2&a3=2+q',
  };
  const fixed = { nonce: '7d8f3e4a', timestamp: '137131201', includeVersion: false };

  it('signs the RFC 5849 example request into its Authorization header', () => {
    const out = authenticate(rfcRequest, credentials, oauth1Service, client, {
      oauth1: { ...fixed, realm: 'Example' },
    });
    expect(out.headers.Authorization).toBe(
      'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", ' +
        'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", ' +
        'oauth_signature="r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D"',
    );
    expect(out.body).toBe('c2&a3=2+q');
  });

  it('moves the protocol parameters to the body or the query (RFC 5849 3.5.2, 3.5.3)', () => {
    const inBody = authenticate(
      rfcRequest,
      credentials,
      { ...oauth1Service, paramType: 'FORM_DATA' },
      client,
      { oauth1: fixed },
    );
    expect(inBody.headers.Authorization).toBeUndefined();
    expect(inBody.body).toMatch(
      /^c2&a3=2\+q&oauth_consumer_key=9djdj82h48djs9d2&.*&oauth_signature=r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D$/,
    );
    const inQuery = authenticate(
      rfcRequest,
      credentials,
      { ...oauth1Service, paramType: 'QUERY_STRING' },
      client,
      { oauth1: fixed },
    );
    expect(inQuery.url).toMatch(
      /^http:\/\/example\.com\/request\?b5=%3D%253D&a3=a&c%40=&a2=r%20b&oauth_consumer_key=.*&oauth_signature=r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D$/,
    );
  });

  it('needs the consumer key, and the private key for RSA-SHA1', () => {
    expect(codeOf(() => authenticate(rfcRequest, credentials, oauth1Service))).toBe('INVALID_CREDENTIALS');
    expect(
      codeOf(() =>
        authenticate(
          rfcRequest,
          credentials,
          { ...oauth1Service, oauth1SignatureMethod: 'RSA-SHA1' },
          client,
        ),
      ),
    ).toBe('INVALID_CREDENTIALS');
  });
});
