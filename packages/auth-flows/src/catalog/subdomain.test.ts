import { AuthFlowError } from '../errors';
import { findCatalogEntry } from './index';
import { resolveSubdomain } from './subdomain';

// The subdomain is a member's input and decides where the token exchange (with the workspace's client
// secret) goes: it must name a real host, never this machine or an address.
describe('resolveSubdomain: only real host names', () => {
  const zendesk = findCatalogEntry('zendesk')!;
  const keycloak = findCatalogEntry('keycloak')!;

  test.each(['localhost', 'LOCALHOST', '2130706433', '0x7f000001', '0177', '127.0.0.1', 'a.localhost', '-x'])(
    'a label-only placeholder refuses %s',
    (value) => {
      expect(() => resolveSubdomain(zendesk, value)).toThrow(AuthFlowError);
    },
  );

  test.each([
    'localhost',
    'localhost:8080/realms/main',
    'sso.localhost',
    '127.0.0.1',
    '127.0.0.1:8443/realms/main',
    '2130706433',
    '10.0.0.1/realms/x',
    '[::1]/realms/x',
    'intranet/realms/x',
    'sso.example.0x7f000001',
    'sso.acme.example:0/realms/main',
    'sso.acme.example:70000/realms/main',
  ])('a whole-host placeholder refuses %s', (value) => {
    expect(() => resolveSubdomain(keycloak, value)).toThrow(AuthFlowError);
  });

  test('real names pass, with a port and a path where the host is whole', () => {
    expect(resolveSubdomain(zendesk, 'acme-support').accessTokenUrl).toMatch(
      /^https:\/\/acme-support\.zendesk\.com\//,
    );
    expect(resolveSubdomain(zendesk, 'eu.acme').apiBaseUrls).toEqual(['https://eu.acme.zendesk.com/api/']);
    expect(resolveSubdomain(keycloak, 'sso.acme.example:8443/realms/main').accessTokenUrl).toBe(
      'https://sso.acme.example:8443/realms/main/protocol/openid-connect/token',
    );
  });
});
