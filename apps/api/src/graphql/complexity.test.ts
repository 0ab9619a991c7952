import { buildSchema, parse } from 'graphql';
import { complexityError } from './complexity';

const schema = buildSchema(`
  type Item { a: Int b: Int }
  type Query { items(first: Int, tag: String): [Item!]! }
`);

describe('complexityError: priced once per document, never across variables that change the price', () => {
  test('a page size from a variable is priced on every request', () => {
    const doc = parse('query($n: Int) { items(first: $n) { a b } }');
    expect(complexityError(schema, doc, 100, undefined, { n: 2 })).toBeNull();
    // Same document: a cached price of the first request would let this one through.
    expect(complexityError(schema, doc, 100, undefined, { n: 1000 })?.extensions.code).toBe(
      'QUERY_TOO_COMPLEX',
    );
  });

  test('@skip / @include from a variable is priced on every request', () => {
    const doc = parse('query($s: Boolean!) { items(first: 60) @skip(if: $s) { a b } }');
    expect(complexityError(schema, doc, 100, undefined, { s: true })).toBeNull();
    expect(complexityError(schema, doc, 100, undefined, { s: false })?.extensions.code).toBe(
      'QUERY_TOO_COMPLEX',
    );
  });

  test('other variables do not change the price: the cached verdict holds for each operation', () => {
    const doc = parse(
      'query Small($t: String) { items(first: 10, tag: $t) { a } } query Big { items(first: 90) { a b } }',
    );
    for (const t of ['x', 'y']) {
      expect(complexityError(schema, doc, 100, 'Small', { t })).toBeNull();
      expect(complexityError(schema, doc, 100, 'Big', {})?.extensions.code).toBe('QUERY_TOO_COMPLEX');
    }
  });
});
