import type { OAuth2Credentials, ServiceDefinition } from '../types';
import { RefreshCoordinator } from './coordinator';

const NOW = 10_000_000;
const service = {
  slug: 'svc',
  displayName: 'Svc',
  authType: 'OAUTH2',
  accessTokenUrl: 'https://auth.example.test/token',
} as unknown as ServiceDefinition;
const client = { clientId: 'id', clientSecret: 'secret' };
// A 300 s token issued `age` ms ago: due at half its life.
const stored = (age: number): OAuth2Credentials => ({
  type: 'OAUTH2',
  accessToken: 'old',
  refreshToken: 'r',
  tokenType: 'bearer',
  scopes: [],
  issuedAt: NOW - age,
  expiresAt: NOW - age + 300_000,
});

function coordinator() {
  const requests: string[] = [];
  const fetch = async (url: string) => {
    requests.push(url);
    return new Response(JSON.stringify({ access_token: 'new', token_type: 'bearer', expires_in: 300 }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return {
    requests,
    c: new RefreshCoordinator({ now: () => NOW, refreshOptions: { fetch, now: () => NOW } }),
  };
}

describe('RefreshCoordinator: when a token request is sent', () => {
  it('not for a token that is not due, unless it is due within dueWithinMs', async () => {
    const { requests, c } = coordinator();
    const begin = jest.fn(async () => {});
    const input = { service, client, begin, reload: async () => stored(100_000), save: async () => {} };
    await expect(c.ensureFresh('k', input)).resolves.toMatchObject({ refreshed: false });
    expect(requests).toHaveLength(0);
    expect(begin).not.toHaveBeenCalled();
    await expect(c.ensureFresh('k', { ...input, dueWithinMs: 60_000 })).resolves.toMatchObject({
      refreshed: true,
      credentials: { accessToken: 'new', issuedAt: NOW, expiresAt: NOW + 300_000 },
    });
    expect(requests).toHaveLength(1);
  });

  it('calls begin under the lock right before the request, with what reload returned', async () => {
    const { requests, c } = coordinator();
    const order: string[] = [];
    await c.ensureFresh('k', {
      service,
      client,
      reload: async () => (order.push('reload'), stored(200_000)),
      begin: async (current) => void order.push(`begin ${current.accessToken} ${requests.length}`),
      save: async (next) => void order.push(`save ${next.accessToken}`),
    });
    expect(order).toEqual(['reload', 'begin old 0', 'save new']);
  });
});
