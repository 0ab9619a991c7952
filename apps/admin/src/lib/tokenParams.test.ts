import { tokenParamRows, tokenParamsMap, tokenParamsProblem } from './tokenParams';

const row = (name: string, value: string) => ({ name, value });

describe('token parameters (client credentials)', () => {
  test('empty rows are ignored; a filled row needs a safe name and a value', () => {
    expect(tokenParamsProblem([])).toBeNull();
    expect(tokenParamsProblem([row('', ''), row('audience', 'https://api.test/')])).toBeNull();
    expect(tokenParamsProblem([row('', 'https://api.test/')])).toMatch(/a name/);
    expect(tokenParamsProblem([row('audience', ' ')])).toBe('audience needs a value.');
    expect(tokenParamsProblem([row('the audience', 'x')])).toMatch(/letters, digits/);
    expect(tokenParamsProblem([row('a'.repeat(65), 'x')])).toMatch(/1 to 64/);
    expect(tokenParamsProblem([row('resource', 'x'.repeat(501))])).toMatch(/at most 500/);
  });

  test('names the grant sets itself, repeats and more than ten are refused, as the API does', () => {
    for (const name of ['grant_type', 'scope', 'client_id', 'client_secret', 'refresh_token'])
      expect(tokenParamsProblem([row(name, 'x')])).toBe(`${name} is set by the grant itself.`);
    expect(tokenParamsProblem([row('audience', 'a'), row('audience', 'b')])).toBe('audience is given twice.');
    const eleven = Array.from({ length: 11 }, (_, i) => row(`p${i}`, 'v'));
    expect(tokenParamsProblem(eleven)).toBe('At most 10 parameters.');
    expect(tokenParamsProblem(eleven.slice(1))).toBeNull();
  });

  test('rows to the API map and back', () => {
    expect(tokenParamsMap([row(' audience ', ' https://api.test/ '), row('', '')])).toEqual({
      audience: 'https://api.test/',
    });
    expect(tokenParamRows({ audience: 'a', resource: 'r' })).toEqual([
      row('audience', 'a'),
      row('resource', 'r'),
    ]);
    expect(tokenParamRows(null)).toEqual([]);
    expect(tokenParamRows(['x'])).toEqual([]);
  });
});
