import { nextTick } from 'vue';
import { draftFromService, emptyDraft } from '../lib/serviceForm';
import type { ServiceDetailFragment } from '../generated/graphql';
import { useServiceForm } from './useServiceForm';

describe('useServiceForm', () => {
  test('errors show for a field once it was left, and for all of them after submit', () => {
    const form = useServiceForm(emptyDraft('OAUTH2'), 'create');
    expect(form.errors.value).toEqual({});
    form.touch('name');
    expect(Object.keys(form.errors.value)).toEqual(['name']);
    form.submitted.value = true;
    expect(Object.keys(form.errors.value).sort()).toEqual(
      ['accessTokenUrl', 'apiBaseUrls', 'authorizeUrl', 'clientId', 'clientSecret', 'name'].sort(),
    );
    expect(form.valid.value).toBe(false);
  });

  test('switching the auth type changes the fields and what is required', () => {
    const form = useServiceForm(emptyDraft('OAUTH2'), 'create');
    form.draft.paramType = 'QUERY_STRING';
    form.setAuthType('BASIC');
    expect(form.draft.paramType).toBe('HEADERS');
    expect(form.rules.value.clientId.visible).toBe(false);
    form.setAuthType('API_KEY');
    expect(form.rules.value.apiKeyParamName.required).toBe(true);
  });

  test('API errors land on their fields and clear when the field is edited', async () => {
    const form = useServiceForm(emptyDraft('OAUTH2'), 'create');
    form.applyApiError(
      {
        graphQLErrors: [
          {
            message: 'apiBaseUrls[0]: must use http or https, not ftp',
            extensions: { code: 'BAD_USER_INPUT', field: 'apiBaseUrls[0]' },
          },
        ],
      },
      'fallback',
    );
    expect(form.errors.value.apiBaseUrls).toBe('must use http or https, not ftp');
    expect(form.formError.value).toBeNull();
    form.draft.apiBaseUrls = 'https://api.test';
    await nextTick();
    expect(form.errors.value.apiBaseUrls).toBeUndefined();
  });

  test('an API error that names no field is shown for the form', () => {
    const form = useServiceForm(emptyDraft('OAUTH2'), 'create');
    form.applyApiError(
      { graphQLErrors: [{ message: 'x', extensions: { code: 'FORBIDDEN' } }] },
      'Only admins',
    );
    expect(form.formError.value).toBe('Only admins');
  });

  test('editing a service with a stored secret does not require it again', () => {
    const service = {
      id: 's1',
      slug: 'acme',
      name: 'Acme',
      kind: 'CUSTOM',
      authType: 'OAUTH2',
      grantType: 'AUTHORIZATION_CODE',
      needsSubdomain: false,
      needsWorkspaceSubdomain: false,
      subdomain: null,
      logoUrl: null,
      hasClientSecret: true,
      clientId: 'client',
      defaultScopes: [],
      paramType: 'HEADERS',
      authorizeUrl: 'https://acme.test/a',
      accessTokenUrl: 'https://acme.test/t',
      requestTokenUrl: null,
      refreshUrl: null,
      revokeUrl: null,
      profileUrl: null,
      scopes: ['read'],
      scopeDelimiter: ' ',
      apiBaseUrls: ['https://api.acme.test'],
      apiKeyParamName: null,
      authorizeParams: { prompt: 'consent' },
      tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      pkce: false,
      tokenParams: null,
      redirectUri: 'https://cnx.test/oauth/callback',
      docsUrl: null,
    } satisfies ServiceDetailFragment;
    const form = useServiceForm(draftFromService(service), 'edit', true);
    form.submitted.value = true;
    expect(form.valid.value).toBe(true);
    expect(form.rules.value.authType.visible).toBe(false);
    expect(form.rules.value.grantType.visible).toBe(false);
  });

  test('choosing client credentials hides the browser fields; its token parameters are checked', () => {
    const form = useServiceForm(emptyDraft('OAUTH2'), 'create');
    form.submitted.value = true;
    expect(form.errors.value.authorizeUrl).toBeDefined();
    form.setGrantType('CLIENT_CREDENTIALS');
    for (const f of ['authorizeUrl', 'authorizeParams', 'pkce', 'profileUrl', 'refreshUrl'] as const)
      expect(form.rules.value[f].visible).toBe(false);
    expect(form.rules.value.tokenParams.visible).toBe(true);
    expect(form.errors.value.authorizeUrl).toBeUndefined();
    form.draft.tokenParams = [{ name: 'grant_type', value: 'password' }];
    expect(form.errors.value.tokenParams).toBe('grant_type is set by the grant itself.');
    form.draft.tokenParams = [{ name: 'audience', value: 'https://api.acme.test/' }];
    expect(form.errors.value.tokenParams).toBeUndefined();
  });
});
