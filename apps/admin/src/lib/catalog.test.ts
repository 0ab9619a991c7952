import {
  catalogSections,
  chipFocusTarget,
  countByAuthType,
  filterCatalog,
  POPULAR_SLUGS,
  recentServiceSlugs,
  splitServiceName,
  type CatalogEntry,
} from './catalog';

const e = (
  name: string,
  slug: string,
  authType: CatalogEntry['authType'] = 'OAUTH2',
  kind: CatalogEntry['kind'] = 'DEFAULT',
) => ({
  id: slug,
  name,
  slug,
  authType,
  kind,
});
const catalog = [
  e('GitHub', 'github'),
  e('GitLab', 'gitlab'),
  e('Bitbucket', 'bitbucket'),
  e('Twitter', 'twitter', 'OAUTH1'),
  e('My Git mirror', 'my-git-mirror', 'API_KEY', 'CUSTOM'),
];

test('every word must match; names starting with the query come first, then custom services', () => {
  expect(filterCatalog(catalog, 'git').map((s) => s.slug)).toEqual(['github', 'gitlab', 'my-git-mirror']);
  expect(filterCatalog(catalog, 'git mirror').map((s) => s.slug)).toEqual(['my-git-mirror']);
  expect(filterCatalog(catalog, '  GITHUB ').map((s) => s.slug)).toEqual(['github']);
});

test('an empty query lists everything: custom first, then by name', () => {
  expect(filterCatalog(catalog, '').map((s) => s.slug)).toEqual([
    'my-git-mirror',
    'bitbucket',
    'github',
    'gitlab',
    'twitter',
  ]);
});

test('filtering by auth type, and the counts for its chips', () => {
  expect(filterCatalog(catalog, '', 'OAUTH1').map((s) => s.slug)).toEqual(['twitter']);
  expect(countByAuthType(catalog)).toEqual({ OAUTH2: 3, OAUTH1: 1, BASIC: 0, API_KEY: 1 });
});

describe('recentServiceSlugs', () => {
  const use = (slug: string, createdAt: string, updatedAt = createdAt) => ({
    service: { slug },
    createdAt,
    updatedAt,
  });

  test('newest first by creation or last change, each service once, at most the limit', () => {
    const connections = [
      use('github', '2026-01-01T00:00:00Z'),
      use('slack', '2026-01-03T00:00:00Z'),
      use('github', '2026-01-02T00:00:00Z', '2026-01-05T00:00:00Z'),
      use('stripe_api_key', '2026-01-04T00:00:00Z'),
    ];
    expect(recentServiceSlugs(connections)).toEqual(['github', 'stripe_api_key', 'slack']);
    expect(recentServiceSlugs(connections, 2)).toEqual(['github', 'stripe_api_key']);
    expect(recentServiceSlugs([])).toEqual([]);
  });

  test('an unreadable date counts as the oldest', () => {
    expect(recentServiceSlugs([use('a', 'garbage'), use('b', '2026-01-01T00:00:00Z')])).toEqual(['b', 'a']);
  });
});

describe('catalogSections', () => {
  const all = [
    e('Sandbox (OAuth 2.0)', 'sandbox-oauth2'),
    e('GitHub', 'github'),
    e('Slack', 'slack'),
    e('Zeta', 'zeta', 'API_KEY'),
    e('Mine', 'mine', 'BASIC', 'CUSTOM'),
  ];
  const slugs = (sections: ReturnType<typeof catalogSections>) =>
    sections.map((s) => [s.key, s.title, s.entries.map((x) => x.slug)]);

  test('browsing: recently used, then popular (without the recent ones), then everything', () => {
    expect(
      slugs(catalogSections(all, { query: '', authType: null, recent: ['zeta', 'github', 'gone'] })),
    ).toEqual([
      ['recent', 'Recently used', ['zeta', 'github']],
      ['popular', 'Popular', ['sandbox-oauth2', 'slack']],
      ['all', 'All services', ['mine', 'github', 'sandbox-oauth2', 'slack', 'zeta']],
    ]);
  });

  test('no recent section for a workspace without connections', () => {
    expect(catalogSections(all, { query: '  ', authType: null, recent: [] }).map((s) => s.key)).toEqual([
      'popular',
      'all',
    ]);
  });

  test('a search or a filter shows one ranked list, so no tile appears twice', () => {
    expect(slugs(catalogSections(all, { query: 'sl', authType: null, recent: ['slack'] }))).toEqual([
      ['results', null, ['slack']],
    ]);
    expect(slugs(catalogSections(all, { query: '', authType: 'API_KEY', recent: ['zeta'] }))).toEqual([
      ['results', null, ['zeta']],
    ]);
  });

  test('the popular list starts with the sandbox and names each slug once', () => {
    expect(POPULAR_SLUGS[0]).toBe('sandbox-oauth2');
    expect(new Set(POPULAR_SLUGS).size).toBe(POPULAR_SLUGS.length);
  });
});

test('tile names: the provider over what its parenthesis says, in full', () => {
  expect(splitServiceName('Sandbox (OAuth 2.0)')).toEqual({ title: 'Sandbox', subtitle: 'OAuth 2.0' });
  expect(splitServiceName('Sandbox (OAuth 1.0a)')).toEqual({ title: 'Sandbox', subtitle: 'OAuth 1.0a' });
  expect(splitServiceName('Maxio Advanced Billing (Chargify)')).toEqual({
    title: 'Maxio Advanced Billing',
    subtitle: 'Chargify',
  });
  expect(splitServiceName(' GitHub ')).toEqual({ title: 'GitHub', subtitle: null });
  expect(splitServiceName('A (b) c')).toEqual({ title: 'A (b) c', subtitle: null });
  expect(splitServiceName('(OAuth)')).toEqual({ title: '(OAuth)', subtitle: null });
});

test('the auth-type chips move focus with arrows, Home and End, wrapping around', () => {
  expect(chipFocusTarget('ArrowRight', 0, 5)).toBe(1);
  expect(chipFocusTarget('ArrowDown', 4, 5)).toBe(0);
  expect(chipFocusTarget('ArrowLeft', 0, 5)).toBe(4);
  expect(chipFocusTarget('ArrowUp', 2, 5)).toBe(1);
  expect(chipFocusTarget('Home', 3, 5)).toBe(0);
  expect(chipFocusTarget('End', 0, 5)).toBe(4);
  expect(chipFocusTarget('Tab', 0, 5)).toBeNull();
  expect(chipFocusTarget('Enter', 0, 5)).toBeNull();
});
