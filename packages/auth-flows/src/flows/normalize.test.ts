import type { ServiceDefinition } from '../types';
import { accountFrom, normalizeGrantResponse, type NormalizeInput } from './normalize';
import { connectUrlFor, redirectUriFor } from './flow-urls';

const service: ServiceDefinition = {
  slug: 's',
  displayName: 'S',
  authType: 'OAUTH2',
  paramType: 'HEADERS',
  authorizeUrl: 'https://s.example/a',
  accessTokenUrl: 'https://s.example/t',
  scopes: [],
  defaultScopes: [],
  scopeDelimiter: ',',
  apiBaseUrls: ['https://api.s.example/'],
};
const input = (over: Partial<NormalizeInput>): NormalizeInput => ({
  service,
  response: undefined,
  callbackQuery: { code: 'c', state: 's' },
  requestedScopes: ['a'],
  now: 1_000,
  secrets: ['hush-hush'],
  ...over,
});

describe('normalizeGrantResponse', () => {
  it('parses provider-delimited scopes and expires_in given as a string', () => {
    const outcome = normalizeGrantResponse(
      input({
        response: {
          access_token: 't',
          raw: { access_token: 't', expires_in: '60', scope: 'a,b', instance_url: 'https://x' },
        },
      }),
    );
    expect(outcome).toEqual({
      ok: true,
      credentials: {
        type: 'OAUTH2',
        accessToken: 't',
        tokenType: 'bearer',
        expiresAt: 61_000,
        issuedAt: 1_000,
        scopes: ['a', 'b'],
      },
      account: undefined,
      raw: { expires_in: '60', scope: 'a,b', instance_url: 'https://x' },
      grantedScopes: ['a', 'b'],
    });
  });

  it('masks secrets echoed in a provider error description', () => {
    const outcome = normalizeGrantResponse(
      input({
        callbackQuery: { error: 'invalid_request', error_description: 'client hush-hush is odd', state: 's' },
      }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'PROVIDER_ERROR', description: 'client [redacted] is odd' },
    });
    if (!outcome.ok) expect(outcome.error.message).not.toContain('hush-hush');
  });

  it('classifies OAuth 1.0a denial and a missing token secret', () => {
    const oauth1 = { ...service, authType: 'OAUTH1' as const };
    expect(normalizeGrantResponse(input({ service: oauth1, callbackQuery: { denied: 'rt' } }))).toMatchObject(
      { ok: false, error: { code: 'ACCESS_DENIED' } },
    );
    expect(
      normalizeGrantResponse(
        input({ service: oauth1, callbackQuery: { oauth_token: 'rt' }, response: { access_token: 'x' } }),
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'MALFORMED_TOKEN_RESPONSE' },
    });
  });

  it('classifies network failures of the token exchange as transient', () => {
    expect(normalizeGrantResponse(input({ response: { error: 'request-compose: timeout' } }))).toMatchObject({
      ok: false,
      error: { code: 'UPSTREAM_UNAVAILABLE', transient: true },
    });
  });
});

describe('accountFrom', () => {
  it('reads the common profile shapes', () => {
    expect(accountFrom({ id: 12, login: 'octocat', email: 'o@x' }, {})).toEqual({
      id: '12',
      name: 'octocat',
      email: 'o@x',
    });
    expect(accountFrom({ data: { id: '9', username: 'x' } }, {})).toEqual({ id: '9', name: 'x' });
    expect(
      accountFrom({ error: 'Grant: No profile URL found!' }, { user_id: 'u1', screen_name: 'ada' }),
    ).toEqual({ id: 'u1', name: 'ada' });
    expect(accountFrom(undefined, {})).toBeUndefined();
  });
});

describe('URLs', () => {
  it('documents the redirect URI shape and the connect URL', () => {
    expect(redirectUriFor('https://connections.example.com/')).toBe(
      'https://connections.example.com/oauth/callback',
    );
    expect(redirectUriFor('https://example.com/app', '/auth')).toBe('https://example.com/app/auth/callback');
    expect(connectUrlFor('https://example.com', 'a b')).toBe('https://example.com/oauth/connect/a%20b');
  });
});
