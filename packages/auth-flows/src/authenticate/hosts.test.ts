import { authenticate } from './authenticate';
import { isAllowedUrl, urlRefusal } from './hosts';
import type { ServiceDefinition } from '../types';

// Issue 12, item 11: a base URL with a path confines calls under that path, not just to its origin.
const confined = { apiBaseUrls: ['https://api.example.com/v1/'] };

describe('API base URL path confinement', () => {
  it.each([
    'https://api.example.com/v1',
    'https://api.example.com/v1/',
    'https://api.example.com/v1/users/42',
    'https://api.example.com/v1/a/../users', // normalised to /v1/users: still under the base path
    'https://api.example.com/v1/file%20name',
    'https://api.example.com/v1/projects/group%2Fproject', // an encoded slash that stays under the path
    'https://api.example.com/v1/a%2f..%2fb', // read as /v1/a/../b = /v1/b by a decoding server
    'https://api.example.com/v1/...', // three dots is a name
    'https://api.example.com/v1/matrix;a=b',
  ])('allows %s', (url) => expect(urlRefusal(confined, url)).toBeUndefined());

  it.each([
    ['https://api.example.com/metrics', 'outside'], // a rooted path, same origin
    ['https://api.example.com/v1/../metrics', 'outside'], // normalised to /metrics
    ['https://api.example.com/v1/%2e%2e/metrics', 'outside'], // %2e%2e is a dot segment to the parser
    ['https://api.example.com/v1/.%2E/metrics', 'outside'],
    ['https://api.example.com/v1x/users', 'outside'], // a prefix of the name is not the path
    ['https://api.example.com/v1/..%2fmetrics', 'outside'], // a decoding server would climb
    ['https://api.example.com/v1/..%2Fmetrics', 'outside'],
    ['https://api.example.com/v1/..%5cmetrics', 'outside'],
    ['https://api.example.com/v1/a/..%2f..%2fmetrics', 'outside'],
    ['https://api.example.com/v1/%252e%252e/metrics', 'outside'], // one more decoding layer
    ['https://api.example.com/v1/%25252e%25252e%25252fmetrics', 'outside'], // and another
    ['https://api.example.com/v1/..;/metrics', 'outside'], // Tomcat-style path parameter
    ['https://api.example.com/v1/%2e%2e%3b/metrics', 'outside'],
    ['https://api.example.com/v1\\..\\metrics', 'outside'], // backslashes are slashes to the parser
    ['https://api.example.com.evil.net/v1/', 'API hosts'],
    ['http://api.example.com/v1/', 'API hosts'], // an http downgrade is another origin
  ])('refuses %s (%s)', (url, why) => {
    expect(urlRefusal(confined, url)).toContain(why);
    expect(isAllowedUrl(confined, url)).toBe(false);
  });

  it('a base URL without a trailing slash confines the same way', () => {
    const service = { apiBaseUrls: ['https://api.example.com/v1'] };
    expect(isAllowedUrl(service, 'https://api.example.com/v1/x')).toBe(true);
    expect(isAllowedUrl(service, 'https://api.example.com/v1')).toBe(true);
    expect(isAllowedUrl(service, 'https://api.example.com/v2/x')).toBe(false);
  });

  it('a base URL at the root allows every path of its origin', () => {
    const service = { apiBaseUrls: ['https://api.example.com'] };
    expect(isAllowedUrl(service, 'https://api.example.com/anything/at/all')).toBe(true);
    expect(isAllowedUrl(service, 'https://api.example.com/a%2f..%2f..%2fb')).toBe(true);
  });

  it('several base URLs on one origin: under any of them', () => {
    const service = { apiBaseUrls: ['https://h.example/api/', 'https://h.example/files/'] };
    expect(isAllowedUrl(service, 'https://h.example/files/1')).toBe(true);
    expect(urlRefusal(service, 'https://h.example/admin')).toContain('(/api/, /files/)');
  });

  it('authenticate attaches no credentials outside the base path (HOST_NOT_ALLOWED)', () => {
    const service: ServiceDefinition = {
      slug: 's',
      displayName: 'Svc',
      authType: 'API_KEY',
      paramType: 'HEADERS',
      apiKeyParamName: 'X-Key',
      scopes: [],
      defaultScopes: [],
      scopeDelimiter: ' ',
      apiBaseUrls: ['https://api.example.com/v1/'],
    };
    const send = (url: string) =>
      authenticate({ method: 'GET', url, headers: {} }, { type: 'API_KEY', apiKey: 'k' }, service);
    expect(send('https://api.example.com/v1/x').headers['X-Key']).toBe('k');
    expect(() => send('https://api.example.com/v1/../metrics')).toThrow(
      expect.objectContaining({ code: 'HOST_NOT_ALLOWED' }),
    );
  });

  it('reads a parsed URL as its text, and a base URL the same however often it is checked', () => {
    const two = { apiBaseUrls: ['https://api.example.com/v1/', 'https://files.example.com/'] };
    for (let i = 0; i < 3; i++) {
      expect(urlRefusal(two, new URL('https://files.example.com/a%2f..%2fb'))).toBeUndefined();
      expect(urlRefusal(two, new URL('https://api.example.com/v1/..%2fmetrics'))).toContain('outside');
      expect(urlRefusal(two, new URL('ftp://api.example.com/v1/'))).toContain('not an absolute http(s)');
      expect(
        urlRefusal({ apiBaseUrls: ['https://files.example.com/'] }, 'https://api.example.com/v1/x'),
      ).toContain('not one of its API hosts');
    }
  });
});
