/** Derives a link name from a display name: lower-case [a-z0-9_], at most 50 characters. */
export function deriveLinkName(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50)
    .replace(/_+$/, '');
  return base || 'connection';
}

/** The first of base, base_2, base_3, ... that is not taken, still within 50 characters. */
export function firstFreeLinkName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = `_${i}`;
    const candidate = base.slice(0, 50 - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}
