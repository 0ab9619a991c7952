import type { ServiceDefinition } from '../types';
import { validateScopes, validateServiceDefinition, type ValidateOptions } from './schema';

// The rules a host applies to services typed in by its users (the API's custom services): each issue
// must name the field, because consoles highlight the input it points at.
const custom: ValidateOptions = { allowHttp: true, allowSubdomain: false };

const oauth2: ServiceDefinition = {
  slug: 'acme',
  displayName: 'Acme',
  authType: 'OAUTH2',
  paramType: 'HEADERS',
  authorizeUrl: 'https://acme.example/authorize',
  accessTokenUrl: 'https://acme.example/token',
  scopes: ['read', 'write'],
  defaultScopes: ['read'],
  scopeDelimiter: ' ',
  apiBaseUrls: ['https://api.acme.example/'],
};
const basic: ServiceDefinition = {
  slug: 'ledger',
  displayName: 'Ledger',
  authType: 'BASIC',
  paramType: 'HEADERS',
  scopes: [],
  defaultScopes: [],
  scopeDelimiter: ' ',
  apiBaseUrls: ['https://ledger.example/'],
};
const apiKey: ServiceDefinition = { ...basic, authType: 'API_KEY', apiKeyParamName: 'X-Api-Key' };

const issues = (def: unknown, options: ValidateOptions = custom) => validateServiceDefinition(def, options);
const paths = (def: unknown, options: ValidateOptions = custom) => issues(def, options).map((i) => i.path);

describe('validateServiceDefinition: rules for user-typed services', () => {
  it('accepts the three shapes', () => {
    for (const def of [oauth2, basic, apiKey]) expect(issues(def)).toEqual([]);
  });

  it('limits the display name to 1 to 80 characters', () => {
    expect(paths({ ...oauth2, displayName: '   ' })).toEqual(['displayName']);
    expect(paths({ ...oauth2, displayName: 'n'.repeat(81) })).toEqual(['displayName']);
    expect(paths({ ...oauth2, displayName: 'n'.repeat(80) })).toEqual([]);
  });

  it('refuses URLs that are too long, have a fragment, or carry a placeholder the service cannot fill', () => {
    const long = `https://acme.example/${'a'.repeat(2048)}`;
    expect(paths({ ...oauth2, authorizeUrl: long })).toEqual(['authorizeUrl']);
    expect(paths({ ...oauth2, accessTokenUrl: 'https://acme.example/token#x' })).toEqual(['accessTokenUrl']);
    expect(paths({ ...oauth2, apiBaseUrls: ['https://api.acme.example/#x'] })).toEqual(['apiBaseUrls[0]']);
    expect(paths({ ...oauth2, authorizeUrl: 'https://[subdomain].acme.example/a' })).toEqual([
      'authorizeUrl',
    ]);
    // A documentation page may point at a section.
    expect(paths({ ...oauth2, docsUrl: 'https://acme.example/docs#oauth' })).toEqual([]);
  });

  it('names the protocol it refuses', () => {
    const [issue] = issues({ ...oauth2, refreshUrl: 'javascript:alert(1)' });
    expect(issue).toEqual({ path: 'refreshUrl', message: 'must use https or http, not javascript' });
    expect(paths({ ...oauth2, refreshUrl: 'http://acme.example/r' })).toEqual([]);
  });

  it('keeps OAuth fields off BASIC and API key services, except a revoke URL', () => {
    expect(paths({ ...basic, authorizeUrl: 'https://acme.example/a' })).toEqual(['authorizeUrl']);
    expect(paths({ ...basic, authorizeParams: { prompt: 'consent' } })).toEqual(['authorizeParams']);
    expect(paths({ ...basic, revokeUrl: 'https://ledger.example/logout' })).toEqual([]);
  });

  it('sends Basic credentials in headers only', () => {
    expect(paths({ ...basic, paramType: 'QUERY_STRING' })).toEqual(['paramType']);
  });

  it('checks the API key parameter name for its param type, and only on API key services', () => {
    expect(paths({ ...oauth2, apiKeyParamName: 'X-Key' })).toEqual(['apiKeyParamName']);
    for (const name of ['api key', 'X-Key:\r\nEvil', 'k'.repeat(129), 'auth[key]'])
      expect(paths({ ...apiKey, apiKeyParamName: name })).toEqual(['apiKeyParamName']);
    expect(paths({ ...apiKey, paramType: 'QUERY_STRING', apiKeyParamName: 'auth[key]' })).toEqual([]);
  });

  it('takes only the four scope delimiters', () => {
    for (const d of ['|', '', '  '])
      expect(paths({ ...oauth2, scopeDelimiter: d })).toEqual(['scopeDelimiter']);
    for (const d of [' ', ',', '+', ';']) expect(paths({ ...oauth2, scopeDelimiter: d })).toEqual([]);
  });

  it('checks authorize parameters: a small map of named strings', () => {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, 'x']));
    expect(paths({ ...oauth2, authorizeParams: many })).toEqual(['authorizeParams']);
    expect(paths({ ...oauth2, authorizeParams: ['prompt'] })).toEqual(['authorizeParams']);
    expect(paths({ ...oauth2, authorizeParams: { 'bad key': 'x' } })).toEqual(['authorizeParams']);
    expect(paths({ ...oauth2, authorizeParams: { prompt: 1 } })).toEqual(['authorizeParams.prompt']);
    expect(paths({ ...oauth2, authorizeParams: { prompt: 'x'.repeat(501) } })).toEqual([
      'authorizeParams.prompt',
    ]);
    expect(issues({ ...oauth2, authorizeParams: { state: 'x' } })[0]!.message).toContain('"state"');
  });
});

describe('validateScopes', () => {
  const messages = (scopes: unknown, delimiter = ' ') =>
    validateScopes(scopes, delimiter, 'scopes').map((i) => `${i.path} ${i.message}`);

  it('accepts RFC 6749 scope tokens', () => {
    expect(messages(['read', 'repo:status', 'https://www.googleapis.com/auth/drive'])).toEqual([]);
  });

  it('refuses empty, long, spaced, quoted and delimiter-carrying scopes, naming each', () => {
    expect(messages(['read', ''])).toEqual(['scopes[1] must not contain empty scopes']);
    expect(messages(['s'.repeat(201)])[0]).toMatch(/^scopes\[0\] "s+\.\.\." is longer than 200/);
    for (const bad of ['write all', 'read\twrite', 'say"hi"', 'back\\slash', 'crème'])
      expect(messages([bad])[0]).toContain(`"${bad}" must be printable ASCII`);
    expect(messages(['read,write'], ',')).toHaveLength(1);
    expect(messages(['read,write'], ' ')).toEqual([]);
  });

  it('refuses anything but a list of strings', () => {
    expect(messages('read')).toEqual(['scopes must be an array of scope strings']);
    expect(messages([1])).toEqual(['scopes[0] contains a value that is not a string']);
  });
});
