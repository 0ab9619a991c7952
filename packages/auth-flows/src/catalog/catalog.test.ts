import { AuthFlowError } from '../errors';
import type { ServiceDefinition } from '../types';
import { catalog, findCatalogEntry } from './index';
import { grantOAuthConfig } from './grant-source';
import { validateServiceDefinition } from './schema';
import { hasUnresolvedSubdomain, resolveSubdomain } from './subdomain';

const MOST_USED = [
  'github',
  'google',
  'microsoft',
  'slack',
  'salesforce',
  'hubspot',
  'zoho',
  'dropbox',
  'box',
  'atlassian',
  'notion',
  'asana',
  'trello',
  'twitter',
  'twitter2',
  'xero',
  'intuit',
  'shopify',
  'zendesk',
  'gitlab',
  'bitbucket',
  'linkedin',
  'discord',
  'spotify',
  'intercom',
  'pipedrive',
  'airtable',
  'calendly',
  'docusign',
  'okta',
  'linear',
  'mailchimp',
  'zoom',
  'figma',
  'stripe',
  'twilio',
  'sendgrid',
  'mailgun',
  'postmark',
  'freshdesk',
  'openai',
];

describe('catalog', () => {
  it('has every grant provider, and grant still ships 218 of them', () => {
    const grantNames = Object.keys(grantOAuthConfig);
    expect(grantNames).toHaveLength(218);
    for (const name of grantNames) expect(findCatalogEntry(name)).toBeDefined();
    expect(catalog.filter((e) => e.source !== 'builtin')).toHaveLength(218);
  });

  it('has no duplicate slugs', () => {
    const slugs = catalog.map((e) => e.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it('is sorted by display name', () => {
    const names = catalog.map((e) => e.displayName);
    const sorted = [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
    expect(names).toEqual(sorted);
  });

  it.each(catalog.map((e) => [e.slug, e] as const))('entry %s passes the schema', (_slug, entry) => {
    // Every entry names its API hosts, grant-only ones included (grant-hosts.ts fills those grant lacks).
    const issues = validateServiceDefinition(entry);
    expect(issues).toEqual([]);
  });

  it('covers the most used APIs with our own metadata', () => {
    for (const slug of MOST_USED) {
      const entry = findCatalogEntry(slug);
      expect(entry).toBeDefined();
      expect(entry!.source).not.toBe('grant');
      expect(entry!.apiBaseUrls.length).toBeGreaterThan(0);
    }
    expect(catalog.filter((e) => e.source !== 'grant').length).toBeGreaterThanOrEqual(40);
  });

  it('keeps grant data where no overlay exists, with grant semantics', () => {
    const entry = findCatalogEntry('500px')!;
    expect(entry).toMatchObject({
      source: 'grant',
      authType: 'OAUTH1',
      requestTokenUrl: grantOAuthConfig['500px']!.request_url,
      grantProvider: '500px',
      scopeDelimiter: ',',
    });
    expect(findCatalogEntry('box')!.scopeDelimiter).toBe(' ');
  });

  it('applies overlays, including a protocol change that drops grant quirks', () => {
    const xero = findCatalogEntry('xero')!;
    expect(grantOAuthConfig.xero!.oauth).toBe(1);
    expect(xero.authType).toBe('OAUTH2');
    expect(xero.grantProvider).toBeUndefined();
    expect(xero.requestTokenUrl).toBeUndefined();
    const slack = findCatalogEntry('slack')!;
    expect(slack.authorizeUrl).toBe('https://slack.com/oauth/v2/authorize');
    expect(slack.grantProvider).toBe('slack');
  });

  it('marks subdomain entries from their URLs', () => {
    const templated = Object.entries(grantOAuthConfig).filter(([, p]) =>
      JSON.stringify(p).includes('[subdomain]'),
    );
    expect(templated.length).toBeGreaterThanOrEqual(21);
    for (const [name] of templated) expect(findCatalogEntry(name)!.subdomain).toBe(true);
    expect(findCatalogEntry('zendesk')!.subdomain).toBe(true);
    expect(findCatalogEntry('github')!.subdomain).toBeUndefined();
    // Harvest's grant profile URL is templated; our overlay replaces it, so no subdomain is needed.
    expect(findCatalogEntry('harvest')!.subdomain).toBeUndefined();
  });

  it('has API-key and Basic services that are not in grant', () => {
    expect(findCatalogEntry('openai')).toMatchObject({
      authType: 'API_KEY',
      apiKeyParamName: 'Authorization',
      source: 'builtin',
    });
    expect(findCatalogEntry('twilio')).toMatchObject({ authType: 'BASIC', source: 'builtin' });
  });

  it('is frozen deeply', () => {
    const entry = findCatalogEntry('github')!;
    expect(() => (entry.apiBaseUrls as string[]).push('https://evil.example/')).toThrow(TypeError);
    expect(entry.apiBaseUrls).toEqual(['https://api.github.com/']);
  });
});

describe('validateServiceDefinition', () => {
  const valid: ServiceDefinition = {
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
  const paths = (def: unknown, options = {}) => validateServiceDefinition(def, options).map((i) => i.path);

  it('accepts a valid custom service', () => {
    expect(validateServiceDefinition(valid)).toEqual([]);
  });

  it('requires the URLs of each auth type', () => {
    expect(paths({ ...valid, accessTokenUrl: undefined })).toEqual(['accessTokenUrl']);
    expect(paths({ ...valid, authType: 'OAUTH1' })).toEqual(['requestTokenUrl']);
    expect(
      paths({ ...valid, authType: 'API_KEY', authorizeUrl: undefined, accessTokenUrl: undefined }),
    ).toEqual(['apiKeyParamName']);
    expect(paths({ ...valid, authType: 'BASIC' })).toEqual(['authorizeUrl', 'accessTokenUrl']);
  });

  it('rejects bad URLs, http unless allowed, and credentials in URLs', () => {
    expect(paths({ ...valid, authorizeUrl: 'not a url' })).toEqual(['authorizeUrl']);
    expect(paths({ ...valid, apiBaseUrls: ['http://api.acme.example/'] })).toEqual(['apiBaseUrls[0]']);
    expect(paths({ ...valid, apiBaseUrls: ['http://api.acme.example/'] }, { allowHttp: true })).toEqual([]);
    expect(paths({ ...valid, apiBaseUrls: ['https://u:p@api.acme.example/'] })).toEqual(['apiBaseUrls[0]']);
    expect(paths({ ...valid, apiBaseUrls: ['ftp://api.acme.example/'] }, { allowHttp: true })).toEqual([
      'apiBaseUrls[0]',
    ]);
  });

  it('rejects authorize parameters that would replace state, PKCE or the client', () => {
    expect(paths({ ...valid, authorizeParams: { state: 'x', prompt: 'consent' } })).toEqual([
      'authorizeParams.state',
    ]);
    expect(paths({ ...valid, authorizeParams: { code_challenge: 'x' } })).toEqual([
      'authorizeParams.code_challenge',
    ]);
  });

  it('checks scopes, slugs and the subdomain flag', () => {
    expect(paths({ ...valid, defaultScopes: ['admin'] })).toEqual(['defaultScopes']);
    expect(paths({ ...valid, scopes: ['a b'], defaultScopes: [] })).toEqual(['scopes[0]']);
    expect(paths({ ...valid, slug: 'Bad Slug' })).toEqual(['slug']);
    expect(paths({ ...valid, apiBaseUrls: ['https://[subdomain].acme.example/'] })).toEqual(['subdomain']);
    expect(paths({ ...valid, subdomain: true })).toEqual(['subdomain']);
    expect(paths(null)).toEqual(['']);
  });
});

describe('resolveSubdomain', () => {
  it('fills every templated URL', () => {
    const zendesk = resolveSubdomain(findCatalogEntry('zendesk')!, 'acme');
    expect(zendesk.authorizeUrl).toBe('https://acme.zendesk.com/oauth/authorizations/new');
    expect(zendesk.apiBaseUrls).toEqual(['https://acme.zendesk.com/api/']);
    expect(hasUnresolvedSubdomain(zendesk)).toBe(false);
    const keycloak = resolveSubdomain(findCatalogEntry('keycloak')!, 'sso.acme.example/realms/main');
    expect(keycloak.accessTokenUrl).toBe(
      'https://sso.acme.example/realms/main/protocol/openid-connect/token',
    );
  });

  it('refuses values that would move the URL to another host', () => {
    const zendesk = findCatalogEntry('zendesk')!;
    for (const value of ['evil.example/', 'x@evil.example', 'a?b', 'evil.example#', '']) {
      expect(() => resolveSubdomain(zendesk, value)).toThrow(AuthFlowError);
    }
    expect(() => resolveSubdomain(findCatalogEntry('keycloak')!, 'user@evil.example')).toThrow(AuthFlowError);
  });

  it('leaves services without placeholders unchanged', () => {
    const github = findCatalogEntry('github')!;
    expect(resolveSubdomain(github, undefined)).toBe(github);
  });
});
