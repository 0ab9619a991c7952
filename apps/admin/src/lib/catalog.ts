import type { AuthType, ServiceKind } from '../generated/graphql';

export interface CatalogEntry {
  id: string;
  slug: string;
  name: string;
  kind: ServiceKind;
  authType: AuthType;
}

/**
 * Instant filtering over the whole catalog (loaded once): every word of the query must match the name or
 * slug; names that start with the query come first, then custom services, then by name.
 */
export function filterCatalog<T extends CatalogEntry>(
  entries: readonly T[],
  query: string,
  authType: AuthType | null = null,
): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const q = words.join(' ');
  const matches = entries.filter((e) => {
    if (authType && e.authType !== authType) return false;
    const hay = `${e.name.toLowerCase()} ${e.slug.toLowerCase()}`;
    return words.every((w) => hay.includes(w));
  });
  const rank = (e: T) => {
    const name = e.name.toLowerCase();
    if (q && (name.startsWith(q) || e.slug.toLowerCase().startsWith(q))) return 0;
    return 1;
  };
  return matches.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.kind === b.kind ? 0 : a.kind === 'CUSTOM' ? -1 : 1) ||
      a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }),
  );
}

/** The count of entries per auth type, for the filter chips. */
export function countByAuthType(entries: readonly CatalogEntry[]): Record<AuthType, number> {
  const out: Record<AuthType, number> = { OAUTH2: 0, OAUTH1: 0, BASIC: 0, API_KEY: 0 };
  for (const e of entries) out[e.authType]++;
  return out;
}
