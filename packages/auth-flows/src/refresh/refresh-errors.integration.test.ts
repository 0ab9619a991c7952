import { AuthFlowError } from '../errors';
import { listen } from '../test-support/http';
import { startTokenEndpoint, type ScriptedTokenEndpoint } from '../test-support/token-endpoint';
import type { ClientCredentials, OAuth2Credentials, ServiceDefinition } from '../types';
import { refreshOAuth2 } from './refresh-oauth2';

let endpoint: ScriptedTokenEndpoint;
let service: ServiceDefinition;
const client: ClientCredentials = { clientId: 'client-1', clientSecret: 'very-secret-value' };
const stored: OAuth2Credentials = {
  type: 'OAUTH2',
  accessToken: 'old-access',
  refreshToken: 'old-refresh-token-value',
  tokenType: 'bearer',
  expiresAt: 1,
  scopes: ['read', 'write'],
};
const NOW = 1_700_000_000_000;

async function failure(promise: Promise<unknown>): Promise<AuthFlowError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthFlowError);
    const e = error as AuthFlowError;
    // Whatever went wrong, no secret may leak into the message.
    for (const secret of [stored.refreshToken!, client.clientSecret, stored.accessToken])
      expect(e.message).not.toContain(secret);
    return e;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  endpoint = await startTokenEndpoint();
  service = {
    slug: 'scripted',
    displayName: 'Scripted',
    authType: 'OAUTH2',
    paramType: 'HEADERS',
    authorizeUrl: `${endpoint.url}/authorize`,
    accessTokenUrl: `${endpoint.url}/token`,
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    apiBaseUrls: [`${endpoint.url}/`],
  };
});
afterAll(() => endpoint.close());
beforeEach(() => (endpoint.seen.length = 0));

const refresh = (over: Partial<ServiceDefinition> = {}, timeoutMs?: number) =>
  refreshOAuth2({ ...service, ...over }, client, stored, { now: () => NOW, timeoutMs });

describe('refreshOAuth2 against a scripted token endpoint', () => {
  it('sends client_secret_post by default and client_secret_basic when asked', async () => {
    endpoint.respond = (_req, res) => void res.json({ access_token: 'a', token_type: 'Bearer' });
    await refresh();
    expect(endpoint.seen[0]).toEqual({
      authorization: undefined,
      form: {
        grant_type: 'refresh_token',
        refresh_token: 'old-refresh-token-value',
        client_id: 'client-1',
        client_secret: 'very-secret-value',
      },
    });
    await refresh({ tokenEndpointAuthMethod: 'client_secret_basic' });
    expect(endpoint.seen[1]!.form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'old-refresh-token-value',
    });
    expect(endpoint.seen[1]!.authorization).toBe(
      `Basic ${Buffer.from('client-1:very-secret-value').toString('base64')}`,
    );
  });

  it('keeps the old refresh token and scopes when the response has none, and leaves expiry unknown without expires_in', async () => {
    endpoint.respond = (_req, res) => void res.json({ access_token: 'new-access', token_type: 'Bearer' });
    await expect(refresh()).resolves.toEqual({
      type: 'OAUTH2',
      accessToken: 'new-access',
      refreshToken: 'old-refresh-token-value',
      tokenType: 'bearer',
      scopes: ['read', 'write'],
    });
  });

  it('computes expiresAt from expires_in (also as a string), takes new scopes, tolerates a missing token_type', async () => {
    endpoint.respond = (_req, res) =>
      void res.json({ access_token: 'n', refresh_token: 'r2', expires_in: '3600', scope: 'read' });
    await expect(refresh()).resolves.toMatchObject({
      refreshToken: 'r2',
      tokenType: 'bearer',
      expiresAt: NOW + 3_600_000,
      issuedAt: NOW,
      scopes: ['read'],
    });
  });

  it('accepts a form-encoded success body', async () => {
    endpoint.respond = (_req, res) =>
      void res
        .type('application/x-www-form-urlencoded')
        .send('access_token=f&token_type=bearer&expires_in=60&scope=a,b');
    await expect(refresh({ scopeDelimiter: ',' })).resolves.toMatchObject({
      accessToken: 'f',
      expiresAt: NOW + 60_000,
      scopes: ['a', 'b'],
    });
  });

  it.each([
    ['invalid_grant', 400],
    ['unauthorized_client', 400],
    ['invalid_client', 401],
  ])('%s is terminal', async (error, status) => {
    endpoint.respond = (_req, res) =>
      void res.status(status).json({ error, error_description: `bad ${stored.refreshToken}` });
    const e = await failure(refresh());
    expect(e).toMatchObject({
      code: 'TOKEN_ENDPOINT_ERROR',
      oauthError: error,
      terminal: true,
      transient: false,
      status,
    });
    expect(e.description).toBe('bad [redacted]');
  });

  it('invalid_client behind a WWW-Authenticate challenge is terminal', async () => {
    endpoint.respond = (_req, res) =>
      void res.status(401).set('WWW-Authenticate', 'Basic realm="token"').json({ error: 'invalid_client' });
    expect(await failure(refresh())).toMatchObject({
      code: 'TOKEN_ENDPOINT_ERROR',
      oauthError: 'invalid_client',
      terminal: true,
    });
  });

  it.each([
    [
      '503 without a body',
      (_req: unknown, res: import('express').Response) => void res.status(503).send('maintenance'),
    ],
    [
      '429',
      (_req: unknown, res: import('express').Response) => void res.status(429).set('Retry-After', '1').end(),
    ],
    [
      '500 server_error',
      (_req: unknown, res: import('express').Response) =>
        void res.status(500).json({ error: 'server_error' }),
    ],
    [
      '400 temporarily_unavailable',
      (_req: unknown, res: import('express').Response) =>
        void res.status(400).json({ error: 'temporarily_unavailable' }),
    ],
  ])('%s is transient', async (_name, respond) => {
    endpoint.respond = respond;
    expect(await failure(refresh())).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      transient: true,
      terminal: false,
    });
  });

  it.each([
    [
      'not JSON',
      (_req: unknown, res: import('express').Response) =>
        void res.type('text/html').send('<html>login</html>'),
    ],
    [
      'no access token',
      (_req: unknown, res: import('express').Response) => void res.json({ token_type: 'bearer' }),
    ],
    [
      'a bad expires_in',
      (_req: unknown, res: import('express').Response) =>
        void res.json({ access_token: 'a', token_type: 'bearer', expires_in: 'soon' }),
    ],
    [
      'a negative expires_in',
      (_req: unknown, res: import('express').Response) =>
        void res.json({ access_token: 'a', token_type: 'bearer', expires_in: -5 }),
    ],
  ])('a 200 with %s is a malformed token response', async (_name, respond) => {
    endpoint.respond = respond;
    expect(await failure(refresh())).toMatchObject({
      code: 'MALFORMED_TOKEN_RESPONSE',
      transient: false,
      terminal: false,
    });
  });

  it('a timeout is transient', async () => {
    endpoint.respond = () => undefined; // never answers; closed with the server
    expect(await failure(refresh({}, 300))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: true });
  });

  it('a refused connection is transient', async () => {
    const closed = await listen(() => undefined);
    await closed.close();
    expect(await failure(refresh({ accessTokenUrl: `${closed.url}/token` }))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      transient: true,
    });
  });

  it('without a refresh token, nothing is sent and the error is terminal', async () => {
    const e = await failure(refreshOAuth2(service, client, { ...stored, refreshToken: undefined }));
    expect(e).toMatchObject({ code: 'NO_REFRESH_TOKEN', terminal: true });
    expect(endpoint.seen).toHaveLength(0);
  });

  it('prefers refreshUrl over accessTokenUrl', async () => {
    endpoint.respond = (_req, res) => void res.json({ access_token: 'a', token_type: 'bearer' });
    await refresh({ accessTokenUrl: `${endpoint.url}/nowhere`, refreshUrl: `${endpoint.url}/token` });
    expect(endpoint.seen).toHaveLength(1);
  });
});

describe('token responses are read through a size limit', () => {
  it('a successful answer over the limit is refused, not parsed', async () => {
    endpoint.respond = (_req, res) =>
      void res.json({ access_token: 'a', token_type: 'Bearer', padding: 'x'.repeat(2 * 1024 * 1024) });
    const e = await failure(refresh());
    expect(e.code).toBe('MALFORMED_TOKEN_RESPONSE');
    expect(e.message).toMatch(/more than 1048576 bytes/);
  });

  it('an error answer that streams without end is cut off at the limit', async () => {
    endpoint.respond = (_req, res) => {
      res.status(400).type('json');
      const timer = setInterval(() => res.write('x'.repeat(64 * 1024)), 1);
      res.on('close', () => clearInterval(timer));
    };
    const e = await failure(refreshOAuth2(service, client, stored, { now: () => NOW, timeoutMs: 60_000 }));
    expect(e.message).toMatch(/more than/);
  }, 20_000);

  it('the host may set the limit', async () => {
    endpoint.respond = (_req, res) =>
      void res.json({ access_token: 'a', token_type: 'Bearer', scope: 'read' });
    const e = await failure(refreshOAuth2(service, client, stored, { now: () => NOW, maxResponseBytes: 16 }));
    expect(e.message).toMatch(/more than 16 bytes/);
    const ok = await refreshOAuth2(service, client, stored, { now: () => NOW, maxResponseBytes: 1024 });
    expect(ok.accessToken).toBe('a');
  });
});
