import { countByAuthType, filterCatalog, type CatalogEntry } from './catalog';

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

test('filters 240 entries well within a keystroke', () => {
  const many = Array.from({ length: 240 }, (_, i) => e(`Service ${i}`, `service-${i}`));
  const t = performance.now();
  for (let i = 0; i < 100; i++) filterCatalog(many, `service ${i}`);
  expect((performance.now() - t) / 100).toBeLessThan(5);
});
