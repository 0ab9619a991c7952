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

/**
 * What integrators reach for first, in this order: the built-in sandbox (the README's first steps), then the
 * APIs most connected to. Slugs absent from this deployment's catalog are skipped.
 */
export const POPULAR_SLUGS = [
  'sandbox-oauth2',
  'sandbox-api-key',
  'sandbox-basic',
  'sandbox-oauth1',
  'github',
  'google',
  'slack',
  'microsoft',
  'salesforce',
  'hubspot',
  'stripe_api_key',
  'openai',
  'anthropic',
  'notion',
  'jira_api_token',
  'zendesk',
  'shopify',
  'twilio',
  'sendgrid',
  'airtable',
] as const;

/** How many recently used services the grid puts first. */
export const RECENT_LIMIT = 6;

/** A connection as the grid reads it: which service, and when it last changed (the closest to "last used"). */
export interface ConnectionUse {
  service: { slug: string };
  createdAt: string;
  updatedAt: string;
}

/** The services of the workspace's connections, most recently created or changed first, each once. */
export function recentServiceSlugs(connections: readonly ConnectionUse[], limit = RECENT_LIMIT): string[] {
  const latest = new Map<string, number>();
  for (const c of connections) {
    const at = Math.max(Date.parse(c.createdAt) || 0, Date.parse(c.updatedAt) || 0);
    latest.set(c.service.slug, Math.max(latest.get(c.service.slug) ?? 0, at));
  }
  return [...latest]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([slug]) => slug);
}

export interface CatalogSection<T> {
  key: 'recent' | 'popular' | 'all' | 'results';
  /** null for the one list of search results. */
  title: string | null;
  entries: T[];
}

/**
 * The grid's sections. Browsing (no query, no filter): recently used, popular, then everything; a search or an
 * auth-type filter shows one ranked list, so a tile is never listed twice while looking for it.
 */
export function catalogSections<T extends CatalogEntry>(
  entries: readonly T[],
  view: { query: string; authType: AuthType | null; recent: readonly string[] },
): CatalogSection<T>[] {
  if (view.query.trim() || view.authType)
    return [{ key: 'results', title: null, entries: filterCatalog(entries, view.query, view.authType) }];
  const bySlug = new Map(entries.map((e) => [e.slug, e]));
  const pick = (slugs: readonly string[]) => slugs.flatMap((s) => bySlug.get(s) ?? []);
  const recent = pick(view.recent);
  const popular = pick(POPULAR_SLUGS).filter((e) => !recent.includes(e));
  const sections: CatalogSection<T>[] = [];
  if (recent.length) sections.push({ key: 'recent', title: 'Recently used', entries: recent });
  if (popular.length) sections.push({ key: 'popular', title: 'Popular', entries: popular });
  sections.push({ key: 'all', title: 'All services', entries: filterCatalog(entries, '') });
  return sections;
}

/**
 * A tile's two lines: the provider, then what the parenthesis said ("Sandbox (OAuth 2.0)" reads "Sandbox" over
 * "OAuth 2.0"), so two variants of one provider never look alike when the tile is narrow.
 */
export function splitServiceName(name: string): { title: string; subtitle: string | null } {
  const match = /^(.+?)\s*\(([^()]+)\)$/.exec(name.trim());
  return match ? { title: match[1]!, subtitle: match[2]! } : { title: name.trim(), subtitle: null };
}

/**
 * Roving focus in the auth-type chips (one Tab stop for the group, WAI-ARIA radio group pattern): the index
 * an arrow key, Home or End moves to, or null for keys the group does not handle.
 */
export function chipFocusTarget(key: string, index: number, count: number): number | null {
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return (index + 1) % count;
    case 'ArrowLeft':
    case 'ArrowUp':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
