import fs from 'node:fs';
import path from 'node:path';
import {
  AuthType,
  ConnectionRelation,
  ConnectionScope,
  ConnectionStatus,
  LINK_NAME_PATTERN,
  ParamType,
  Role,
  ServiceKind,
} from './index';

// The API test proves the committed SDL equals what the server builds; this one proves the SDL carries
// every enum value clients are promised by this package's exports.
const sdl = fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8');

describe('the committed contract', () => {
  test.each(
    Object.entries({
      AuthType,
      ConnectionRelation,
      ConnectionScope,
      ConnectionStatus,
      ParamType,
      Role,
      ServiceKind,
    }),
  )('enum %s lists every value', (name, values) => {
    const block = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(sdl)?.[1] ?? '';
    const declared = block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^[A-Z][A-Z0-9_]*$/.test(l));
    expect(declared.sort()).toEqual(Object.values(values).sort());
  });

  test('link names: a-z, 0-9 and _, 1 to 50 characters', () => {
    for (const ok of ['a', 'my_github', 'x'.repeat(50), 'crm_2'])
      expect(LINK_NAME_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', 'Has-Dash', 'UPPER', 'x'.repeat(51), 'sp ace', 'ümlaut'])
      expect(LINK_NAME_PATTERN.test(bad)).toBe(false);
  });
});
