import {
  AuthFlowError,
  type CatalogEntry,
  type ClientCredentials,
  type Logo,
  resolveSubdomain,
  type ServiceDefinition,
  usesClientCredentials,
} from '@connections/auth-flows';
import type {
  CreateCustomServiceInput,
  Service as ServiceView,
  SetServiceApiBaseUrlsInput,
  SetServiceCredentialsInput,
  UpdateServiceInput,
} from '@connections/schema';
import type { DataSource, EntityManager } from 'typeorm';
import { ConnectionRow, ServiceRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { AuthType } from '../db/entities/service';
import type { SecretBox } from '../crypto/secret-box';
import { badInput, notFound } from '../errors';
import type { AuditService } from './audit';
import { CustomServices, type CustomServiceRules } from './custom-services';
import { type CatalogOverlay, DEFAULT_ID_PREFIX, ServiceCatalog } from './service-catalog';
import { ServiceClients } from './service-clients';
import { definitionOfCustomRow, tenantHostIsWorkspaces, withApiBaseUrlOverride } from './service-definition';
import { logoOf, logoUrlOf } from './service-logos';
import { CatalogServiceSettings } from './service-settings';
import { serviceView } from './service-views';
import type { Viewer } from './viewer';

export interface ServiceFilterInput {
  kind?: 'DEFAULT' | 'CUSTOM';
  authType?: AuthType;
  search?: string;
}

type ServiceRef = { id?: string | null; slug?: string | null };

/**
 * Reads one string as a service reference: "default:<slug>" or a custom service's id (a UUID) is an id,
 * anything else a slug. A slug may be 36 characters long too, so the length alone does not make an id.
 */
export function serviceRef(idOrSlug: string): { id: string } | { slug: string } {
  return idOrSlug.startsWith(DEFAULT_ID_PREFIX) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(idOrSlug)
    ? { id: idOrSlug }
    : { slug: idOrSlug };
}

/**
 * Services a workspace can connect to: the catalog (held in memory, from auth-flows) plus the workspace's
 * CUSTOM rows and the DEFAULT rows that hold its OAuth client for a catalog service. What the rest of the
 * domain calls; editing custom services and OAuth clients is delegated to their own modules.
 */
export class ServiceRegistry {
  private readonly catalog: ServiceCatalog;
  private readonly clients: ServiceClients;
  private readonly settings: CatalogServiceSettings;
  /** Custom services; extension manifests create theirs through it (checkWithoutSecret, createChecked). */
  readonly custom: CustomServices;

  constructor(
    private readonly ds: DataSource,
    box: SecretBox,
    audit: AuditService,
    private readonly redirectUri: (service: { slug: string; authType: string }) => string | null,
    /** Sandbox hook: run-time catalog entries (built from PUBLIC_URL) with preconfigured OAuth clients. */
    overlay: CatalogOverlay | undefined,
    /** Custom services: where their URLs may point, and the authorizations a host change moves. */
    customRules: CustomServiceRules,
  ) {
    this.catalog = new ServiceCatalog(overlay);
    this.clients = new ServiceClients(box, this.catalog);
    this.custom = new CustomServices(ds, audit, this.catalog, this.clients, customRules);
    this.settings = new CatalogServiceSettings(ds, audit, this.catalog, this.clients, customRules);
  }

  /** The GraphQL shape of a catalog entry (with this workspace's settings) or of a custom row. */
  view(row: ServiceRow | undefined, catalogEntry?: CatalogEntry): ServiceView {
    if (row?.kind === 'CUSTOM') {
      const definition = definitionOfCustomRow(row);
      return serviceView(definition, {
        id: row.id,
        kind: 'CUSTOM',
        ...this.clients.publicClient(row, definition.slug),
        redirectUri: this.redirectUri(definition),
        catalogApiBaseUrls: null,
        tenantHost: { value: null, perConnection: false },
        logoUrl: null,
      });
    }
    const entry = catalogEntry ?? this.catalogEntry(row!.slug);
    const workspaceHost = tenantHostIsWorkspaces(entry);
    return serviceView(withApiBaseUrlOverride(entry, row?.apiBaseUrls), {
      id: DEFAULT_ID_PREFIX + entry.slug,
      kind: 'DEFAULT',
      ...this.clients.publicClient(row, entry.slug),
      redirectUri: this.redirectUri(entry),
      catalogApiBaseUrls: { urls: entry.apiBaseUrls, overridden: !!row?.apiBaseUrls?.length },
      tenantHost: { value: workspaceHost ? (row?.subdomain ?? null) : null, perConnection: !workspaceHost },
      logoUrl: logoUrlOf(entry),
    });
  }

  /** Catalog services whose tokens come from the client credentials grant: renewable with no refresh token. */
  clientCredentialsSlugs(): string[] {
    return this.catalog
      .entries()
      .filter((e) => usesClientCredentials(e))
      .map((e) => e.slug);
  }

  /** The logo of a catalog service (run-time overlay entries included), for the HTTP adapter. */
  logo(slug: string): Logo | undefined {
    return logoOf(this.catalog.find(slug));
  }

  async list(
    workspaceId: string,
    filter: ServiceFilterInput,
    page: { offset: number; limit: number },
  ): Promise<{ nodes: ServiceView[]; total: number }> {
    const rows = await this.ds.getRepository(ServiceRow).findBy({ workspaceId });
    const defaults = new Map(rows.filter((r) => r.kind === 'DEFAULT').map((r) => [r.slug, r]));
    const all: ServiceView[] = [
      ...rows
        .filter((r) => r.kind === 'CUSTOM')
        .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
        .map((r) => this.view(r)),
      ...this.catalog.entries().map((e) => this.view(defaults.get(e.slug), e)),
    ];
    const q = filter.search?.trim().toLowerCase();
    const matches = all.filter(
      (s) =>
        (!filter.kind || s.kind === filter.kind) &&
        (!filter.authType || s.authType === filter.authType) &&
        (!q || s.name.toLowerCase().includes(q) || s.slug.includes(q)),
    );
    return { nodes: matches.slice(page.offset, page.offset + page.limit), total: matches.length };
  }

  /** Finds a service by id ("default:<slug>" or a custom row id) or by slug. */
  async find(workspaceId: string, ref: ServiceRef): Promise<ServiceView> {
    const found = await this.resolve(workspaceId, ref);
    return this.view(found.row, found.entry);
  }

  private async resolve(
    workspaceId: string,
    ref: ServiceRef,
    manager: EntityManager = this.ds.manager,
  ): Promise<{ row?: ServiceRow; entry?: CatalogEntry }> {
    let slug = ref.slug ?? undefined;
    const catalogOnly = !!ref.id?.startsWith(DEFAULT_ID_PREFIX);
    if (catalogOnly) slug = ref.id!.slice(DEFAULT_ID_PREFIX.length);
    else if (ref.id) {
      const row = await manager.findOneBy(ServiceRow, { id: ref.id, workspaceId });
      if (!row) throw notFound('Service');
      return { row, entry: row.kind === 'DEFAULT' ? this.catalog.find(row.slug) : undefined };
    }
    if (!slug) throw badInput('service', 'give a service id or slug');
    let row = (await manager.findOneBy(ServiceRow, { workspaceId, slug })) ?? undefined;
    // "default:<slug>" names a catalog service only, never a custom service that happens to have that slug.
    if (catalogOnly && row?.kind === 'CUSTOM') row = undefined;
    const entry = row?.kind === 'CUSTOM' ? undefined : this.catalog.find(slug);
    if (!row && !entry) throw notFound(`Service "${slug}"`);
    return { row, entry };
  }

  /**
   * The service row a connection points at; a catalog service gets its DEFAULT row on first use, inside the
   * caller's transaction.
   */
  async rowForConnection(workspaceId: string, idOrSlug: string, manager: EntityManager): Promise<ServiceRow> {
    const { row, entry } = await this.resolve(workspaceId, serviceRef(idOrSlug), manager);
    if (row) return row;
    return manager.save(
      ServiceRow,
      manager.create(ServiceRow, { id: newId(), workspaceId, kind: 'DEFAULT', slug: entry!.slug }),
    );
  }

  /**
   * The protocol definition auth-flows needs, for a stored row: the one place a catalog service meets the
   * workspace's API base URL override, so invocations, /proxy and test requests all follow it.
   */
  definitionOf(row: ServiceRow): ServiceDefinition {
    if (row.kind === 'CUSTOM') return definitionOfCustomRow(row);
    return withApiBaseUrlOverride(this.catalogEntry(row.slug), row.apiBaseUrls);
  }

  private catalogEntry(slug: string): CatalogEntry {
    const entry = this.catalog.find(slug);
    if (!entry) throw notFound(`Catalog service "${slug}"`);
    return entry;
  }

  /** The protocol view of a connection's service (tenant host filled in), with the OAuth client when set. */
  protocolFor(connection: ConnectionRow): {
    definition: ServiceDefinition;
    client: ClientCredentials | null;
  } {
    const row = connection.service!;
    const definition = this.definitionOf(row);
    const host = this.tenantHost(definition, row, connection.subdomain);
    return { definition: resolveSubdomain(definition, host), client: this.clients.clientFor(row, row.slug) };
  }

  /** Whose [subdomain] fills the URLs: the workspace's for a catalog OAuth service, else the connection's. */
  private tenantHost(def: ServiceDefinition, row: ServiceRow, connectionHost?: string | null) {
    if (!def.subdomain) return undefined;
    if (row.kind !== 'DEFAULT' || !tenantHostIsWorkspaces(def)) return connectionHost ?? undefined;
    if (!row.subdomain)
      throw badInput(
        'subdomain',
        `${def.displayName} takes its host with the workspace's OAuth client: an admin sets both with setServiceCredentials`,
      );
    return row.subdomain;
  }

  /**
   * The same for a service named by id or slug before any connection exists (a catalog service without a
   * workspace row has no OAuth client). A missing or unsafe subdomain is the caller's input error.
   */
  async protocolForReference(
    workspaceId: string,
    idOrSlug: string,
    subdomain?: string | null,
  ): Promise<{ definition: ServiceDefinition; client: ClientCredentials | null }> {
    const found = await this.resolve(workspaceId, serviceRef(idOrSlug));
    // A catalog service without a workspace row yet has no settings: the catalog's own.
    const service =
      found.row ?? Object.assign(new ServiceRow(), { kind: 'DEFAULT', slug: found.entry!.slug });
    try {
      return this.protocolFor(Object.assign(new ConnectionRow(), { service, subdomain: subdomain ?? null }));
    } catch (e) {
      if (e instanceof AuthFlowError) throw badInput('subdomain', e.message);
      throw e;
    }
  }

  /** Decrypts a row's client secret for a flow. Callers must never log or return it. */
  clientSecretOf(row: ServiceRow): string | null {
    return this.clients.secretOf(row);
  }

  async createCustom(viewer: Viewer, input: CreateCustomServiceInput): Promise<ServiceView> {
    return this.view(await this.custom.create(viewer, input));
  }

  async update(viewer: Viewer, input: UpdateServiceInput): Promise<ServiceView> {
    return this.view(await this.custom.update(viewer, input));
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.custom.delete(viewer, id);
  }

  async setCredentials(viewer: Viewer, input: SetServiceCredentialsInput): Promise<ServiceView> {
    const { row, entry } = await this.settings.setCredentials(viewer, input);
    return this.view(row, entry);
  }

  async setApiBaseUrls(viewer: Viewer, input: SetServiceApiBaseUrlsInput): Promise<ServiceView> {
    const { row, entry } = await this.settings.setApiBaseUrls(viewer, input);
    return this.view(row, entry);
  }
}
