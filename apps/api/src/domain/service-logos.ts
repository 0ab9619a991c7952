import { type CatalogEntry, type Logo, logoOfIcon } from '@connections/auth-flows';

/** Where the HTTP adapter serves catalog logos: `/logos/<catalog slug>.svg`. */
export const LOGO_PATH = '/logos';

/** A catalog entry's logo, bundled at build time from simple-icons; undefined when the set has none. */
export function logoOf(entry: Pick<CatalogEntry, 'logo'> | undefined): Logo | undefined {
  return entry?.logo ? logoOfIcon(entry.logo) : undefined;
}

/**
 * The logo's path on this server, versioned by its content so it can be cached for good (a new icon in an
 * upgrade gets a new URL); null for entries without one, which the console shows as a letter avatar.
 */
export function logoUrlOf(entry: Pick<CatalogEntry, 'slug' | 'logo'>): string | null {
  const logo = logoOf(entry);
  return logo ? `${LOGO_PATH}/${encodeURIComponent(entry.slug)}.svg?v=${logo.version}` : null;
}
