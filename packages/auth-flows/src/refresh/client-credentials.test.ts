import { AuthFlowError } from '../errors';
import type { ServiceDefinition } from '../types';
import { clientCredentialsParameters, requestClientCredentialsToken } from './client-credentials';

const service: ServiceDefinition = {
  slug: 'm2m',
  displayName: 'M2M API',
  authType: 'OAUTH2',
  grantType: 'client_credentials',
  paramType: 'HEADERS',
  accessTokenUrl: 'https://auth.example.test/oauth/token',
  scopes: ['read:orders', 'write:orders'],
  defaultScopes: ['read:orders', 'write:orders'],
  scopeDelimiter: ' ',
  apiBaseUrls: ['https://api.example.test/'],
  tokenParams: { audience: 'https://api.example.test/' },
};
const client = { clientId: 'client.id-1', clientSecret: 'se-cr.et:with/odd+chars' };

interface Sent {
  url: string;
  method?: string;
  headers: Headers;
  form: URLSearchParams;
}

function fakeEndpoint(status: number, body: unknown, contentType = 'application/json') {
  const sent: Sent[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    sent.push({
      url,
      method: init.method,
      headers: new Headers(init.headers),
      form: new URLSearchParams(String(init.body)),
    });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { 'content-type': contentType } });
  };
  return { sent, fetch };
}

const TOKEN = { access_token: 'at-1', token_type: 'Bearer', expires_in: 600 };

describe('client credentials grant: the token request (RFC 6749 section 4.4.2)', () => {
  it('client_secret_post: one form POST with grant_type, scope, the token parameters and the client', async () => {
    const endpoint = fakeEndpoint(200, TOKEN);
    const credentials = await requestClientCredentialsToken(service, client, {
      fetch: endpoint.fetch,
      now: () => 1_000,
    });
    expect(endpoint.sent).toHaveLength(1);
    const [req] = endpoint.sent;
    expect(req!.url).toBe('https://auth.example.test/oauth/token');
    expect(req!.method).toBe('POST');
    expect(req!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req!.headers.get('authorization')).toBeNull();
    expect(Object.fromEntries(req!.form)).toEqual({
      grant_type: 'client_credentials',
      scope: 'read:orders write:orders',
      audience: 'https://api.example.test/',
      client_id: 'client.id-1',
      client_secret: 'se-cr.et:with/odd+chars',
    });
    expect(credentials).toEqual({
      type: 'OAUTH2',
      accessToken: 'at-1',
      tokenType: 'bearer',
      scopes: ['read:orders', 'write:orders'],
      issuedAt: 1_000,
      expiresAt: 601_000,
    });
  });

  it('client_secret_basic (section 2.3.1): the client in the Authorization header, not in the body', async () => {
    const endpoint = fakeEndpoint(200, TOKEN);
    await requestClientCredentialsToken(
      { ...service, tokenEndpointAuthMethod: 'client_secret_basic' },
      client,
      { fetch: endpoint.fetch },
    );
    const [req] = endpoint.sent;
    const basic = req!.headers.get('authorization')!;
    expect(basic).toMatch(/^Basic /);
    expect(Buffer.from(basic.slice(6), 'base64').toString()).toBe('client.id-1:se-cr.et:with/odd+chars');
    expect(req!.form.get('client_secret')).toBeNull();
    expect(req!.form.get('grant_type')).toBe('client_credentials');
  });

  it('no scope parameter when the service lists none; a reserved name among tokenParams is never sent', () => {
    const params = clientCredentialsParameters({
      ...service,
      defaultScopes: [],
      tokenParams: { resource: 'https://api.example.test/', grant_type: 'password', client_id: 'x' },
    });
    expect(Object.fromEntries(params)).toEqual({ resource: 'https://api.example.test/' });
  });

  it('a refresh token in the answer is dropped (section 4.4.3): renewal asks for a new token', async () => {
    const endpoint = fakeEndpoint(200, { ...TOKEN, refresh_token: 'rt', scope: 'read:orders' });
    const credentials = await requestClientCredentialsToken(service, client, { fetch: endpoint.fetch });
    expect(credentials).not.toHaveProperty('refreshToken');
    expect(credentials.scopes).toEqual(['read:orders']);
  });

  it('invalid_client is terminal, and the secret the server echoed is masked', async () => {
    const endpoint = fakeEndpoint(401, {
      error: 'invalid_client',
      error_description: `client authentication failed for ${client.clientSecret}`,
    });
    const error = await requestClientCredentialsToken(service, client, { fetch: endpoint.fetch }).catch(
      (e: unknown) => e as AuthFlowError,
    );
    expect(error).toBeInstanceOf(AuthFlowError);
    expect(error).toMatchObject({
      code: 'TOKEN_ENDPOINT_ERROR',
      oauthError: 'invalid_client',
      terminal: true,
    });
    expect((error as AuthFlowError).message).not.toContain(client.clientSecret);
  });

  it('a 503 is transient; a token answer without access_token is malformed', async () => {
    await expect(
      requestClientCredentialsToken(service, client, {
        fetch: fakeEndpoint(503, 'busy', 'text/plain').fetch,
      }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: true });
    await expect(
      requestClientCredentialsToken(service, client, {
        fetch: fakeEndpoint(200, { token_type: 'bearer' }).fetch,
      }),
    ).rejects.toMatchObject({ code: 'MALFORMED_TOKEN_RESPONSE' });
  });

  it('refuses a service without a token endpoint before sending anything', async () => {
    const endpoint = fakeEndpoint(200, TOKEN);
    await expect(
      requestClientCredentialsToken({ ...service, accessTokenUrl: undefined }, client, {
        fetch: endpoint.fetch,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_SERVICE' });
    expect(endpoint.sent).toHaveLength(0);
  });
});
