import {
  catalog,
  type CatalogEntry,
  type ClientCredentials,
  findCatalogEntry,
} from '@connections/auth-flows';

/** A catalog service's id: "default:<slug>", so it can never collide with a custom service's UUID. */
export const DEFAULT_ID_PREFIX = 'default:';

/**
 * Catalog entries known only at run time, consulted before the static catalog (the sandbox's services,
 * built from the public URL). Declared here, where it is used; `sandbox/catalog.ts` implements it.
 */
export interface CatalogOverlay {
  entries(): readonly CatalogEntry[];
  find(slug: string): CatalogEntry | undefined;
  /** The preconfigured OAuth client, used when the workspace has not set its own. */
  client(slug: string): ClientCredentials | null;
}

/** The catalog (held in memory, from auth-flows) with the run-time overlay in front of it. */
export class ServiceCatalog {
  constructor(private readonly overlay?: CatalogOverlay) {}

  find(slug: string): CatalogEntry | undefined {
    return this.overlay?.find(slug) ?? findCatalogEntry(slug);
  }

  /** Every entry, overlay first, in the order services are listed. */
  entries(): readonly CatalogEntry[] {
    return [...(this.overlay?.entries() ?? []), ...catalog];
  }

  /** The OAuth client an overlay entry comes with; catalog entries have none. */
  presetClient(slug: string): ClientCredentials | null {
    return this.overlay?.client(slug) ?? null;
  }
}
