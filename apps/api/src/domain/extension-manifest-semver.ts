/**
 * Semantic versions as semver.org 2.0.0 defines them (section 2: MAJOR.MINOR.PATCH without leading zeros;
 * section 9: an optional pre-release; section 10: optional build metadata) and their precedence (section 11).
 * An extension upgrade needs a manifest whose version has a higher precedence than the installed one.
 */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const MAX_VERSION_LENGTH = 64;

interface Parsed {
  core: [bigint, bigint, bigint];
  pre: string[];
}

function parse(version: string): Parsed | null {
  if (version.length > MAX_VERSION_LENGTH) return null;
  const m = SEMVER.exec(version);
  if (!m) return null;
  return { core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)], pre: m[4] ? m[4].split('.') : [] };
}

export function isSemver(version: string): boolean {
  return parse(version) !== null;
}

const numeric = (s: string) => /^\d+$/.test(s);

/** Section 11.4: identifiers compared one by one; numbers numerically and below text; more fields win. */
function comparePre(a: string[], b: string[]): number {
  // 11.3: a version without a pre-release outranks the same version with one.
  if (!a.length || !b.length) return b.length - a.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (numeric(x) && numeric(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (numeric(x) !== numeric(y)) return numeric(x) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

/**
 * Negative when `a` precedes `b`, positive when it follows, 0 when they have the same precedence (build
 * metadata is ignored, section 10). Both must be valid (isSemver).
 */
export function compareSemver(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) throw new Error(`not a semantic version: ${x ? b : a}`);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! < y.core[i]! ? -1 : 1;
  return Math.sign(comparePre(x.pre, y.pre));
}
