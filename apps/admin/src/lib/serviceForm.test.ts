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
        'grantType',
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
        'authorizeParams',
        'tokenEndpointAuthMethod',
        'pkce',
        'apiBaseUrls',
      ].sort(),
    );
    expect(required('OAUTH2')).toEqual(
      [
        'name',
        'authType',
        'grantType',
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
    // Authorize parameters apply to both OAuth versions; PKCE and the token endpoint are OAuth 2.0's.
    expect(rules.authorizeParams.visible).toBe(true);
    expect(rules.pkce.visible).toBe(false);
    expect(rules.tokenEndpointAuthMethod.visible).toBe(false);
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

describe('OAuth 2.0 options', () => {
  test('a bad authorize parameter is caught on its field', () => {
    expect(validateDraft(oauth2({ authorizeParams: 'state=x' })).authorizeParams).toMatch(/set by the flow/);
    expect(validateDraft(oauth2({ authorizeParams: 'prompt=consent' }))).toEqual({});
  });

  test('create sends what differs from the defaults; update sends every option, empty ones cleared', () => {
    const chosen = oauth2({
      authorizeParams: 'access_type=offline\nprompt=consent',
      tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      pkce: false,
    });
    expect(toCreateInput(chosen)).toMatchObject({
      authorizeParams: { access_type: 'offline', prompt: 'consent' },
      tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      pkce: false,
    });
    const defaults = toCreateInput(oauth2());
    expect([defaults.authorizeParams, defaults.tokenEndpointAuthMethod, defaults.pkce]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(toUpdateInput('svc-1', oauth2())).toMatchObject({
      authorizeParams: null,
      tokenEndpointAuthMethod: null,
      pkce: true,
    });
    // Not for OAuth 1.0a (authorize parameters are), nor for API keys.
    const oauth1 = toCreateInput({ ...chosen, authType: 'OAUTH1' });
    expect([oauth1.tokenEndpointAuthMethod, oauth1.pkce]).toEqual([undefined, undefined]);
    expect(oauth1.authorizeParams).toEqual({ access_type: 'offline', prompt: 'consent' });
    expect(toCreateInput({ ...chosen, authType: 'API_KEY' }).authorizeParams).toBeUndefined();
  });
});

describe('OAuth 2.0 client credentials', () => {
  const machine = (over: Partial<CustomServiceDraft> = {}): CustomServiceDraft =>
    oauth2({ grantType: 'CLIENT_CREDENTIALS', authorizeUrl: '', ...over });

  test('no browser fields (authorize URL and parameters, PKCE, profile, refresh); token parameters instead', () => {
    const rules = fieldRules('OAUTH2', 'create', false, 'CLIENT_CREDENTIALS');
    const shown = Object.entries(rules)
      .filter(([, r]) => r.visible)
      .map(([k]) => k)
      .sort();
    expect(shown).toEqual(
      [
        'name',
        'authType',
        'grantType',
        'paramType',
        'accessTokenUrl',
        'revokeUrl',
        'clientId',
        'clientSecret',
        'scopes',
        'scopeDelimiter',
        'tokenEndpointAuthMethod',
        'tokenParams',
        'apiBaseUrls',
      ].sort(),
    );
    expect(rules.accessTokenUrl).toMatchObject({
      required: true,
      help: expect.stringMatching(/requests tokens/),
    });
    expect(rules.tokenParams.required).toBe(false);
    // The grant is OAuth 2.0's, and fixed once created.
    expect(fieldRules('OAUTH1', 'create', false, 'CLIENT_CREDENTIALS').grantType.visible).toBe(false);
    expect(fieldRules('OAUTH1', 'create', false, 'CLIENT_CREDENTIALS').authorizeUrl.visible).toBe(true);
    expect(fieldRules('OAUTH2', 'edit', true, 'CLIENT_CREDENTIALS').grantType.visible).toBe(false);
    expect(fieldRules('OAUTH2').tokenParams.visible).toBe(false);
  });

  test('a complete draft needs no authorize URL; hidden fields are not checked', () => {
    expect(validateDraft(machine())).toEqual({});
    expect(validateDraft(machine({ authorizeUrl: 'not a url', authorizeParams: 'state=x' }))).toEqual({});
    expect(
      Object.keys(validateDraft({ ...emptyDraft('OAUTH2'), grantType: 'CLIENT_CREDENTIALS' })).sort(),
    ).toEqual(['accessTokenUrl', 'apiBaseUrls', 'clientId', 'clientSecret', 'name'].sort());
  });

  test('token parameters: checked as typed, sent as a map, never for the other grant', () => {
    expect(validateDraft(machine({ tokenParams: [{ name: 'scope', value: 'x' }] })).tokenParams).toMatch(
      /set by the grant/,
    );
    const input = toCreateInput(
      machine({
        authorizeUrl: 'https://acme.test/authorize',
        authorizeParams: 'prompt=consent',
        profileUrl: 'https://acme.test/me',
        refreshUrl: 'https://acme.test/refresh',
        pkce: false,
        tokenParams: [
          { name: ' audience ', value: ' https://api.acme.test/ ' },
          { name: '', value: '' },
        ],
      }),
    );
    expect(input).toMatchObject({ authType: 'OAUTH2', grantType: 'CLIENT_CREDENTIALS' });
    expect(input.tokenParams).toEqual({ audience: 'https://api.acme.test/' });
    // What the API refuses for this grant is never sent, even when typed before switching grants.
    for (const f of ['authorizeUrl', 'authorizeParams', 'profileUrl', 'refreshUrl', 'pkce'] as const)
      expect(input[f]).toBeUndefined();
    expect(toCreateInput(machine()).tokenParams).toBeUndefined();
    // The default grant is left out; token parameters typed there are not sent.
    const code = toCreateInput(oauth2({ tokenParams: [{ name: 'audience', value: 'x' }] }));
    expect([code.grantType, code.tokenParams]).toEqual([undefined, undefined]);
  });

  test('update: emptied token parameters clear; the grant itself is never sent', () => {
    const update = toUpdateInput('svc-1', machine());
    expect(update.tokenParams).toBeNull();
    expect(update).not.toHaveProperty('grantType');
    expect(update.pkce).toBeUndefined();
    expect(update.authorizeUrl).toBeUndefined();
    expect(
      toUpdateInput('svc-1', machine({ tokenParams: [{ name: 'resource', value: 'urn:x' }] })).tokenParams,
    ).toEqual({
      resource: 'urn:x',
    });
  });

  test('API errors on the grant and its parameters land on their fields', () => {
    expect(fieldOfApiError('tokenParams.audience')).toBe('tokenParams');
    expect(fieldOfApiError('grantType')).toBe('grantType');
  });
});

test('fieldOfApiError maps the API field names to form fields', () => {
  expect(fieldOfApiError('authorizeParams.state')).toBe('authorizeParams');
  expect(fieldOfApiError('pkce')).toBe('pkce');
  expect(fieldOfApiError('authorizeUrl')).toBe('authorizeUrl');
  expect(fieldOfApiError('apiBaseUrls[1]')).toBe('apiBaseUrls');
  expect(fieldOfApiError('input.name')).toBe('name');
  expect(fieldOfApiError('connections[1].linkName')).toBeNull();
  expect(fieldOfApiError(undefined)).toBeNull();
});
