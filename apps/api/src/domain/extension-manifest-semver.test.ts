import { compareSemver, isSemver } from './extension-manifest-semver';

describe('semantic versions', () => {
  test.each(['1.0.0', '0.0.1', '10.20.30', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0+build.5'])(
    '%s is valid',
    (v) => expect(isSemver(v)).toBe(true),
  );
  test.each(['1', '1.0', '01.0.0', '1.0.0-', '1.0.0-01', 'v1.0.0', '1.0.0 ', '1.0.0+', '1.2.3.4', ''])(
    '%s is not',
    (v) => expect(isSemver(v)).toBe(false),
  );

  test('precedence follows semver.org section 11, build metadata ignored', () => {
    // The example list of section 11.4, in ascending order.
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.2.0',
      '1.10.0',
      '2.0.0',
    ];
    for (let i = 0; i < ordered.length - 1; i++) {
      expect(compareSemver(ordered[i]!, ordered[i + 1]!)).toBeLessThan(0);
      expect(compareSemver(ordered[i + 1]!, ordered[i]!)).toBeGreaterThan(0);
    }
    expect(compareSemver('1.2.0+a', '1.2.0+b')).toBe(0);
    expect(compareSemver('99999999999999999999.0.0', '99999999999999999998.9.9')).toBeGreaterThan(0);
  });
});
