import {
  emptyDraft,
  fieldOfApiError,
  fieldRules,
  toCreateInput,
  toUpdateInput,
  validateDraft,
  type CustomServiceDraft,
} from './serviceForm';

const visible = (authType: Parameters<typeof fieldRules>[0]) =>
  Object.entries(fieldRules(authType))
    .filter(([, r]) => r.visible)
    .map(([k]) => k)
    .sort();
const required = (
  authType: Parameters<typeof fieldRules>[0],
  mode: 'create' | 'edit' = 'create',
  secret = false,
) =>
  Object.entries(fieldRules(authType, mode, secret))
    .filter(([, r]) => r.required)
    .map(([k]) => k)
    .sort();

describe('fieldRules by auth type', () => {
  test('OAuth 2.0 shows its endpoints and client; no request token URL or API key name', () => {
    expect(visible('OAUTH2')).toEqual(
      [
        'name',
        'authType',
        'paramType',
        'authorizeUrl',
        'accessTokenUrl',
        'refreshUrl',
        'revokeUrl',
        'profileUrl',
        'clientId',
        'clientSecret',
        'scopes',
        'scopeDelimiter',
        'apiBaseUrls',
      ].sort(),
    );
    expect(required('OAUTH2')).toEqual(
      [
        'name',
        'authType',
        'paramType',
        'authorizeUrl',
        'accessTokenUrl',
        'clientId',
        'clientSecret',
        'scopeDelimiter',
        'apiBaseUrls',
      ].sort(),
    );
  });

  test('OAuth 1.0a needs a request token URL, calls its client a consumer, has no refresh URL', () => {
    const rules = fieldRules('OAUTH1');
    expect(rules.requestTokenUrl).toMatchObject({ visible: true, required: true });
    expect(rules.refreshUrl.visible).toBe(false);
    expect(rules.clientId.label).toBe('Consumer key');
    expect(rules.clientSecret.label).toBe('Consumer secret');
  });

  test('Basic has no OAuth fields and no param type (always the Authorization header)', () => {
    expect(visible('BASIC')).toEqual(['apiBaseUrls', 'authType', 'name']);
  });

  test('API key asks for the parameter name and where it travels', () => {
    expect(visible('API_KEY')).toEqual(['apiBaseUrls', 'apiKeyParamName', 'authType', 'name', 'paramType']);
    expect(fieldRules('API_KEY').apiKeyParamName.required).toBe(true);
  });

  test('editing: the auth type is fixed and a stored secret may be left empty', () => {
    const rules = fieldRules('OAUTH2', 'edit', true);
    expect(rules.authType.visible).toBe(false);
    expect(rules.clientSecret).toMatchObject({ visible: true, required: false });
    expect(rules.clientSecret.help).toMatch(/Leave empty to keep it/);
    expect(fieldRules('OAUTH2', 'edit', false).clientSecret.required).toBe(true);
  });
});

const oauth2 = (over: Partial<CustomServiceDraft> = {}): CustomServiceDraft => ({
  ...emptyDraft('OAUTH2'),
  name: 'Acme',
  authorizeUrl: 'https://acme.test/oauth/authorize',
  accessTokenUrl: 'https://acme.test/oauth/token',
  clientId: 'client',
  clientSecret: 'secret',
  scopes: ['read', 'write'],
  apiBaseUrls: 'https://api.acme.test/v1\n\n https://uploads.acme.test ',
  ...over,
});

describe('validateDraft', () => {
  test('a complete OAuth 2.0 draft is valid', () => {
    expect(validateDraft(oauth2())).toEqual({});
  });

  test('an empty OAuth 2.0 draft names every missing field', () => {
    expect(Object.keys(validateDraft(emptyDraft('OAUTH2'))).sort()).toEqual(
      ['accessTokenUrl', 'apiBaseUrls', 'authorizeUrl', 'clientId', 'clientSecret', 'name'].sort(),
    );
  });

  test('URLs must be absolute http(s) without credentials or fragments', () => {
    expect(validateDraft(oauth2({ authorizeUrl: 'acme.test/authorize' })).authorizeUrl).toMatch(
      /absolute URL/,
    );
    expect(validateDraft(oauth2({ authorizeUrl: 'ftp://acme.test' })).authorizeUrl).toMatch(/http or https/);
    expect(validateDraft(oauth2({ revokeUrl: 'https://u:p@acme.test' })).revokeUrl).toMatch(/user name/);
    expect(validateDraft(oauth2({ profileUrl: 'https://acme.test/me#x' })).profileUrl).toMatch(/fragment/);
    expect(validateDraft(oauth2({ apiBaseUrls: 'https://ok.test\nnot a url' })).apiBaseUrls).toMatch(
      /absolute/,
    );
  });

  test('scopes must not contain white space or the delimiter', () => {
    expect(validateDraft(oauth2({ scopes: ['a,b'], scopeDelimiter: ',' })).scopes).toMatch(/"a,b"/);
    expect(validateDraft(oauth2({ scopes: ['a b'] })).scopes).toMatch(/spaces/);
  });

  test('fields hidden for the auth type are not checked', () => {
    const basic: CustomServiceDraft = {
      ...oauth2(),
      authType: 'BASIC',
      authorizeUrl: 'not a url',
      clientId: '',
    };
    expect(validateDraft(basic)).toEqual({});
  });

  test('API key: the parameter name is required and limited to safe characters', () => {
    const d = { ...emptyDraft('API_KEY'), name: 'Key API', apiBaseUrls: 'https://api.test' };
    expect(validateDraft(d).apiKeyParamName).toMatch(/Enter the parameter name/);
    expect(validateDraft({ ...d, apiKeyParamName: 'X Api Key' }).apiKeyParamName).toMatch(/Letters, digits/);
    expect(validateDraft({ ...d, apiKeyParamName: 'X-Api-Key' })).toEqual({});
  });

  test('an edit keeps the stored secret when the field is empty', () => {
    expect(validateDraft(oauth2({ clientSecret: '' }), 'edit', true)).toEqual({});
    expect(validateDraft(oauth2({ clientSecret: '' }), 'edit', false).clientSecret).toBeDefined();
  });
});

describe('inputs', () => {
  test('create sends only the fields of the auth type, trimmed, with the base URLs split by line', () => {
    const input = toCreateInput({
      ...oauth2(),
      authType: 'API_KEY',
      apiKeyParamName: ' X-Key ',
      paramType: 'QUERY_STRING',
    });
    expect(input).toEqual({
      name: 'Acme',
      authType: 'API_KEY',
      paramType: 'QUERY_STRING',
      apiKeyParamName: 'X-Key',
      apiBaseUrls: ['https://api.acme.test/v1', 'https://uploads.acme.test'],
      requestTokenUrl: undefined,
      authorizeUrl: undefined,
      accessTokenUrl: undefined,
      refreshUrl: undefined,
      revokeUrl: undefined,
      profileUrl: undefined,
      clientId: undefined,
      clientSecret: undefined,
      scopes: undefined,
      scopeDelimiter: undefined,
    });
  });

  test('Basic always sends HEADERS', () => {
    expect(toCreateInput({ ...oauth2(), authType: 'BASIC', paramType: 'FORM_DATA' }).paramType).toBe(
      'HEADERS',
    );
  });

  test('update clears emptied optional URLs and leaves an empty secret out', () => {
    const input = toUpdateInput('svc-1', oauth2({ refreshUrl: '', clientSecret: '' }));
    expect(input).toMatchObject({
      id: 'svc-1',
      refreshUrl: '',
      clientSecret: undefined,
      requestTokenUrl: undefined,
    });
    expect(toUpdateInput('svc-1', oauth2({ clientSecret: 'new' })).clientSecret).toBe('new');
  });
});

test('fieldOfApiError maps the API field names to form fields', () => {
  expect(fieldOfApiError('authorizeUrl')).toBe('authorizeUrl');
  expect(fieldOfApiError('apiBaseUrls[1]')).toBe('apiBaseUrls');
  expect(fieldOfApiError('input.name')).toBe('name');
  expect(fieldOfApiError('connections[1].linkName')).toBeNull();
  expect(fieldOfApiError(undefined)).toBeNull();
});
