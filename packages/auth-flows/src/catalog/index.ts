import { SUBDOMAIN_PLACEHOLDER, type CatalogEntry } from '../types';
import { builtinEntries } from './builtin';
import { grantApiHosts } from './grant-hosts';
import { entryFromGrant, grantOAuthConfig } from './grant-source';
import { catalogLogos } from './logos';
import { businessOverlays } from './overlay-business';
import { majorOverlays, type Overlay } from './overlay-major';
import { moreOverlays } from './overlay-more';

const overlays: Readonly<Record<string, Overlay>> = {
  ...majorOverlays,
  ...businessOverlays,
  ...moreOverlays,
};

function usesPlaceholder(entry: CatalogEntry): boolean {
  return [
    entry.authorizeUrl,
    entry.accessTokenUrl,
    entry.requestTokenUrl,
    entry.refreshUrl,
    entry.revokeUrl,
    entry.profileUrl,
    entry.testRequest?.url,
    ...entry.apiBaseUrls,
  ].some((url) => url?.includes(SUBDOMAIN_PLACEHOLDER));
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

function applyOverlay(base: CatalogEntry, overlay: Overlay | undefined): CatalogEntry {
  // grant names no API host for some providers; ours come from their documentation (grant-hosts.ts).
  if (!overlay) return base.apiBaseUrls.length > 0 ? base : { ...base, ...grantApiHosts[base.slug] };
  const entry: CatalogEntry = { ...base, ...overlay, source: 'overlay' };
  // An overlay that changes the protocol (Xero moved to OAuth 2.0) cannot borrow grant's quirks for
  // the old one.
  if (entry.authType !== base.authType) delete entry.grantProvider;
  return entry;
}

function build(): readonly CatalogEntry[] {
  const entries = Object.entries(grantOAuthConfig).map(([name, provider]) =>
    applyOverlay(entryFromGrant(name, provider), overlays[name]),
  );
  entries.push(...builtinEntries.map((entry) => ({ ...entry })));
  for (const entry of entries) {
    withoutUndefined(entry);
    const logo = catalogLogos[entry.slug];
    if (logo) entry.logo = logo;
    // Derived, not declared: an overlay that replaces the only templated URL makes the subdomain moot.
    if (usesPlaceholder(entry)) entry.subdomain = true;
    else delete entry.subdomain;
  }
  entries.sort(
    (a, b) =>
      a.displayName.localeCompare(b.displayName, 'en', { sensitivity: 'base' }) ||
      a.slug.localeCompare(b.slug),
  );
  return deepFreeze(entries);
}

// Hosts build ServiceDefinitions by spreading entries; freezing the nested arrays too means a careless
// push() fails loudly instead of changing the catalog for every workspace.
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Every grant provider plus our built-in services, sorted by display name. Entries are frozen. */
export const catalog: readonly CatalogEntry[] = build();

const bySlug = new Map(catalog.map((entry) => [entry.slug, entry]));

export function findCatalogEntry(slug: string): CatalogEntry | undefined {
  return bySlug.get(slug);
}

/** Slugs of the entries that carry our own metadata (overlay or builtin), for consoles that feature them. */
export function featuredSlugs(): string[] {
  return catalog.filter((entry) => entry.source !== 'grant').map((entry) => entry.slug);
}
