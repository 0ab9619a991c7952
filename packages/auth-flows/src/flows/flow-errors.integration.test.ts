import type { Response } from 'express';
import { Browser } from '../test-support/browser';
import { listen } from '../test-support/http';
import { startHostApp, type HostApp } from '../test-support/host-app';
import { startTokenEndpoint, type ScriptedTokenEndpoint } from '../test-support/token-endpoint';
import type { ServiceDefinition } from '../types';
import type { FlowOutcome } from './normalize';

let app: HostApp;
let endpoint: ScriptedTokenEndpoint;
let service: ServiceDefinition;
let counter = 0;
const client = { clientId: 'scripted-client', clientSecret: 'scripted-secret-value' };

async function runFlow(
  respond: (res: Response) => void,
  over: Partial<ServiceDefinition> = {},
): Promise<FlowOutcome> {
  endpoint.respond = (_req, res) => respond(res);
  counter += 1;
  const id = `scripted-${counter}`;
  app.attempts.set(id, { service: { ...service, ...over }, client, scopes: ['read'] });
  await new Browser().follow(app.connectUrl(id));
  const outcome = app.completions.find((c) => c.attemptId === id)!.outcome;
  if (!outcome.ok) {
    for (const secret of [client.clientSecret, 'scripted-code'])
      expect(outcome.error.message).not.toContain(secret);
  }
  return outcome;
}

beforeAll(async () => {
  app = await startHostApp();
  endpoint = await startTokenEndpoint();
  service = {
    slug: 'scripted',
    displayName: 'Scripted',
    authType: 'OAUTH2',
    paramType: 'HEADERS',
    authorizeUrl: `${endpoint.url}/authorize`,
    accessTokenUrl: `${endpoint.url}/token`,
    scopes: ['read', 'write'],
    defaultScopes: ['read'],
    scopeDelimiter: ' ',
    apiBaseUrls: [`${endpoint.url}/`],
  };
});

afterAll(async () => {
  await endpoint.close();
  await app.close();
});

describe('flow outcomes with a scripted provider', () => {
  it('sends the PKCE verifier and client credentials with the code; takes granted scopes from the request when the response has none', async () => {
    const outcome = await runFlow(
      (res) => void res.json({ access_token: 'tok', token_type: 'Bearer', expires_in: 60 }),
    );
    expect(outcome).toMatchObject({
      ok: true,
      credentials: { type: 'OAUTH2', accessToken: 'tok', tokenType: 'bearer', scopes: ['read'] },
    });
    if (outcome.ok) expect(outcome.account).toBeUndefined();
    const form = endpoint.seen.at(-1)!.form;
    expect(form).toMatchObject({
      grant_type: 'authorization_code',
      code: 'scripted-code',
      client_id: 'scripted-client',
      client_secret: 'scripted-secret-value',
    });
    expect(form.code_verifier).toMatch(/^[0-9a-f]{80}$/);
  });

  it('a token without expiry has no expiresAt; a refresh token is kept', async () => {
    const outcome = await runFlow(
      (res) =>
        void res.json({ access_token: 'tok', refresh_token: 'r', token_type: 'bearer', scope: 'read write' }),
    );
    expect(outcome).toMatchObject({
      ok: true,
      credentials: { refreshToken: 'r', scopes: ['read', 'write'] },
    });
    if (outcome.ok) expect(outcome.credentials).not.toHaveProperty('expiresAt');
  });

  it.each([
    ['not JSON', (res: Response) => void res.type('text/html').send('<html><body>Sign in</body></html>')],
    ['JSON without an access token', (res: Response) => void res.json({ token_type: 'bearer' })],
    [
      'a non-numeric expires_in',
      (res: Response) => void res.json({ access_token: 'a', expires_in: 'tomorrow' }),
    ],
    ['a zero expires_in', (res: Response) => void res.json({ access_token: 'a', expires_in: 0 })],
  ])('a 200 with %s is MALFORMED_TOKEN_RESPONSE', async (_name, respond) => {
    expect(await runFlow(respond)).toMatchObject({ ok: false, error: { code: 'MALFORMED_TOKEN_RESPONSE' } });
  });

  it('an OAuth error from the token endpoint keeps its code and description', async () => {
    const outcome = await runFlow(
      (res) =>
        void res
          .status(400)
          .json({ error: 'invalid_grant', error_description: 'code scripted-code expired' }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      error: {
        code: 'TOKEN_ENDPOINT_ERROR',
        oauthError: 'invalid_grant',
        description: 'code [redacted] expired',
      },
    });
  });

  it('a token endpoint failing without an OAuth error is TOKEN_ENDPOINT_ERROR', async () => {
    // grant hands back the parsed error body without the HTTP status, so a 503 cannot be told apart.
    expect(await runFlow((res) => void res.status(503).end())).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_ENDPOINT_ERROR', oauthError: undefined },
    });
  });

  it('an unreachable token endpoint is transient', async () => {
    const closed = await listen(() => undefined);
    await closed.close();
    const outcome = await runFlow(() => undefined, { accessTokenUrl: `${closed.url}/token` });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UPSTREAM_UNAVAILABLE', transient: true } });
  });

  it('an error redirect other than access_denied is PROVIDER_ERROR', async () => {
    const outcome = await runFlow(() => undefined, { authorizeParams: { fail: 'temporarily_unavailable' } });
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'PROVIDER_ERROR', oauthError: 'temporarily_unavailable' },
    });
  });

  it('a service that cannot run a flow is refused before any redirect', async () => {
    const outcome = await runFlow(() => undefined, { authType: 'API_KEY', apiKeyParamName: 'k' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID_SERVICE' } });
  });
});
