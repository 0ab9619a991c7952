import { needsBrowser, usesClientCredentials } from './grant';

describe('connecting: which services need a browser', () => {
  test('OAuth 1.0a and the authorization code grant go through the provider in a popup', () => {
    expect(needsBrowser('OAUTH2')).toBe(true);
    expect(needsBrowser('OAUTH1')).toBe(true);
    expect(needsBrowser({ authType: 'OAUTH2', grantType: 'AUTHORIZATION_CODE' })).toBe(true);
    expect(needsBrowser({ authType: 'OAUTH2', grantType: null })).toBe(true);
  });

  test('client credentials, Basic and API keys never open a window', () => {
    expect(needsBrowser({ authType: 'OAUTH2', grantType: 'CLIENT_CREDENTIALS' })).toBe(false);
    expect(usesClientCredentials({ authType: 'OAUTH2', grantType: 'CLIENT_CREDENTIALS' })).toBe(true);
    expect(needsBrowser('BASIC')).toBe(false);
    expect(needsBrowser({ authType: 'API_KEY', grantType: null })).toBe(false);
    // The grant is OAuth 2.0's only.
    expect(usesClientCredentials({ authType: 'OAUTH1', grantType: 'CLIENT_CREDENTIALS' })).toBe(false);
  });
});
