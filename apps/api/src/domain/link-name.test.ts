import { deriveLinkName, firstFreeLinkName } from './link-name';

describe('link names', () => {
  test.each([
    ['My GitHub!', 'my_github'],
    ['  Salesforce -- Prod  ', 'salesforce_prod'],
    ['Café Crème', 'cafe_creme'],
    ['!!!', 'connection'],
    ['a'.repeat(80), 'a'.repeat(50)],
    ['x'.repeat(49) + ' y', 'x'.repeat(49)],
  ])('derives %j -> %j', (name, expected) => {
    const derived = deriveLinkName(name);
    expect(derived).toBe(expected);
    expect(derived).toMatch(/^[a-z0-9_]{1,50}$/);
  });

  test('appends _2, _3 ... within 50 characters', () => {
    expect(firstFreeLinkName('crm', new Set())).toBe('crm');
    expect(firstFreeLinkName('crm', new Set(['crm', 'crm_2']))).toBe('crm_3');
    const long = 'a'.repeat(50);
    const next = firstFreeLinkName(long, new Set([long]));
    expect(next).toBe('a'.repeat(48) + '_2');
  });
});
