import {
  AuthFlowError,
  catalog,
  type ClientCredentials,
  resolveSubdomain,
  type CatalogEntry,
  type ServiceDefinition,
  findCatalogEntry,
} from '@connections/auth-flows';
import type { Service as ServiceView } from '@connections/schema';
import { type DataSource, type EntityManager } from 'typeorm';
import { ConnectionRow, ServiceRow } from '../db/entities';
import { isUniqueViolation } from '../db/sql';
import { newId } from '../db/entities/base';
import type { AuthType, ParamType } from '../db/entities/service';
import type { SecretBox } from '../crypto/secret-box';
import { AppError, badInput, notFound } from '../errors';
import type { AuditService } from './audit';
import { checkClientSecret, type CustomServiceFields, validateCustomService } from './service-validation';
import type { Viewer } from './viewer';
import type { CatalogOverlay } from '../sandbox/catalog';

const DEFAULT_ID_PREFIX = 'default:';
const secretRef = (rowId: string) => ({ table: 'service', column: 'clientSecret', rowId });

export interface ServiceFilterInput {
  kind?: 'DEFAULT' | 'CUSTOM';
  authType?: AuthType;
  search?: string;
}

export type CreateCustomServiceInput = Omit<
  CustomServiceFields,
  'hasClientSecret' | 'scopes' | 'scopeDelimiter'
> & {
  clientSecret?: string | null;
  scopes?: string[] | null;
  scopeDelimiter?: string | null;
};

export type UpdateServiceInput = { id: string } & Partial<Omit<CreateCustomServiceInput, 'authType'>>;

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

function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return s || 'service';
}

/**
 * Services a workspace can connect to: the catalog (held in memory, from auth-flows) plus the workspace's
 * CUSTOM rows and the DEFAULT rows that hold its OAuth client for a catalog service.
 */
export class ServiceRegistry {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly redirectUri: (service: { slug: string; authType: string }) => string | null,
    /** Sandbox hook: run-time catalog entries (built from PUBLIC_URL) with preconfigured OAuth clients. */
    private readonly overlay?: CatalogOverlay,
  ) {}

  private findEntry(slug: string): CatalogEntry | undefined {
    return this.overlay?.find(slug) ?? findCatalogEntry(slug);
  }

  /** The workspace's OAuth client for a row, else the overlay's preconfigured one (sandbox services). */
  private clientFor(row: ServiceRow | undefined, slug: string): ClientCredentials | null {
    const secret = row ? this.clientSecretOf(row) : null;
    if (row?.clientId && secret) return { clientId: row.clientId, clientSecret: secret };
    return row?.kind === 'CUSTOM' ? null : (this.overlay?.client(slug) ?? null);
  }

  /** The GraphQL shape of a catalog entry (with the workspace's client id) or of a custom row. */
  view(row: ServiceRow | undefined, entry?: CatalogEntry): ServiceView {
    if (row && row.kind === 'CUSTOM') {
      const authType = row.authType!;
      return {
        id: row.id,
        kind: 'CUSTOM' as ServiceView['kind'],
        slug: row.slug,
        name: row.name ?? row.slug,
        authType: authType as ServiceView['authType'],
        paramType: row.paramType as ServiceView['paramType'],
        authorizeUrl: row.authorizeUrl ?? null,
        accessTokenUrl: row.accessTokenUrl ?? null,
        requestTokenUrl: row.requestTokenUrl ?? null,
        refreshUrl: row.refreshUrl ?? null,
        revokeUrl: row.revokeUrl ?? null,
        profileUrl: row.profileUrl ?? null,
        scopes: row.scopes ?? [],
        defaultScopes: row.scopes ?? [],
        scopeDelimiter: row.scopeDelimiter ?? ' ',
        apiBaseUrls: row.apiBaseUrls ?? [],
        apiKeyParamName: row.apiKeyParamName ?? null,
        authorizeParams: row.authorizeParams ?? null,
        clientId: row.clientId ?? null,
        hasClientSecret: !!row.clientSecretEncrypted,
        redirectUri: this.redirectUri({ slug: row.slug, authType }),
        needsSubdomain: false,
        docsUrl: null,
      };
    }
    const e = entry ?? this.findEntry(row!.slug);
    if (!e) throw notFound(`Catalog service "${row?.slug}"`);
    return {
      id: DEFAULT_ID_PREFIX + e.slug,
      kind: 'DEFAULT' as ServiceView['kind'],
      slug: e.slug,
      name: e.displayName,
      authType: e.authType as ServiceView['authType'],
      paramType: e.paramType as ServiceView['paramType'],
      authorizeUrl: e.authorizeUrl ?? null,
      accessTokenUrl: e.accessTokenUrl ?? null,
      requestTokenUrl: e.requestTokenUrl ?? null,
      refreshUrl: e.refreshUrl ?? null,
      revokeUrl: e.revokeUrl ?? null,
      profileUrl: e.profileUrl ?? null,
      scopes: e.scopes,
      defaultScopes: e.defaultScopes,
      scopeDelimiter: e.scopeDelimiter,
      apiBaseUrls: e.apiBaseUrls,
      apiKeyParamName: e.apiKeyParamName ?? null,
      authorizeParams: e.authorizeParams ?? null,
      clientId: row?.clientId ?? this.overlay?.client(e.slug)?.clientId ?? null,
      hasClientSecret: !!row?.clientSecretEncrypted || !!this.overlay?.client(e.slug),
      redirectUri: this.redirectUri({ slug: e.slug, authType: e.authType }),
      needsSubdomain: !!e.subdomain,
      docsUrl: e.docsUrl ?? null,
    };
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
      ...[...(this.overlay?.entries() ?? []), ...catalog].map((e: CatalogEntry) =>
        this.view(defaults.get(e.slug), e),
      ),
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
  async find(workspaceId: string, ref: { id?: string | null; slug?: string | null }): Promise<ServiceView> {
    const found = await this.resolve(workspaceId, ref);
    return this.view(found.row, found.entry);
  }

  private async resolve(
    workspaceId: string,
    ref: { id?: string | null; slug?: string | null },
    manager: EntityManager = this.ds.manager,
  ): Promise<{ row?: ServiceRow; entry?: CatalogEntry }> {
    let slug = ref.slug ?? undefined;
    const catalogOnly = !!ref.id?.startsWith(DEFAULT_ID_PREFIX);
    if (catalogOnly) slug = ref.id!.slice(DEFAULT_ID_PREFIX.length);
    else if (ref.id) {
      const row = await manager.findOneBy(ServiceRow, { id: ref.id, workspaceId });
      if (!row) throw notFound('Service');
      return { row, entry: row.kind === 'DEFAULT' ? this.findEntry(row.slug) : undefined };
    }
    if (!slug) throw badInput('service', 'give a service id or slug');
    let row = (await manager.findOneBy(ServiceRow, { workspaceId, slug })) ?? undefined;
    // "default:<slug>" names a catalog service only, never a custom service that happens to have that slug.
    if (catalogOnly && row?.kind === 'CUSTOM') row = undefined;
    const entry = row?.kind === 'CUSTOM' ? undefined : this.findEntry(slug);
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

  /** The protocol definition auth-flows needs, for a stored row. */
  definitionOf(row: ServiceRow): ServiceDefinition {
    if (row.kind === 'DEFAULT') {
      const entry = this.findEntry(row.slug);
      if (!entry) throw notFound(`Catalog service "${row.slug}"`);
      return entry;
    }
    return {
      slug: row.slug,
      displayName: row.name ?? row.slug,
      authType: row.authType!,
      paramType: row.paramType!,
      authorizeUrl: row.authorizeUrl ?? undefined,
      accessTokenUrl: row.accessTokenUrl ?? undefined,
      requestTokenUrl: row.requestTokenUrl ?? undefined,
      refreshUrl: row.refreshUrl ?? undefined,
      revokeUrl: row.revokeUrl ?? undefined,
      profileUrl: row.profileUrl ?? undefined,
      scopes: row.scopes ?? [],
      defaultScopes: row.scopes ?? [],
      scopeDelimiter: row.scopeDelimiter ?? ' ',
      apiBaseUrls: row.apiBaseUrls ?? [],
      apiKeyParamName: row.apiKeyParamName ?? undefined,
      authorizeParams: row.authorizeParams ?? undefined,
    };
  }

  /** The protocol view of a connection's service (subdomain filled in), with the OAuth client when set. */
  protocolFor(connection: ConnectionRow): {
    definition: ServiceDefinition;
    client: ClientCredentials | null;
  } {
    const row = connection.service!;
    const definition = resolveSubdomain(this.definitionOf(row), connection.subdomain ?? undefined);
    return { definition, client: this.clientFor(row, row.slug) };
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
    const { row, entry } = await this.resolve(workspaceId, serviceRef(idOrSlug));
    try {
      if (row)
        return this.protocolFor(
          Object.assign(new ConnectionRow(), { service: row, subdomain: subdomain ?? null }),
        );
      return {
        definition: resolveSubdomain(entry!, subdomain ?? undefined),
        client: this.clientFor(undefined, entry!.slug),
      };
    } catch (e) {
      if (e instanceof AuthFlowError) throw badInput('subdomain', e.message);
      throw e;
    }
  }

  /** Decrypts a row's client secret for a flow. Callers must never log or return it. */
  clientSecretOf(row: ServiceRow): string | null {
    return row.clientSecretEncrypted ? this.box.decrypt(row.clientSecretEncrypted, secretRef(row.id)) : null;
  }

  async createCustom(viewer: Viewer, input: CreateCustomServiceInput): Promise<ServiceView> {
    const fields = validateCustomService({
      ...input,
      scopes: input.scopes ?? [],
      scopeDelimiter: input.scopeDelimiter ?? ' ',
      hasClientSecret: !!input.clientSecret,
    });
    if (input.clientSecret) checkClientSecret(input.clientSecret);
    return this.ds
      .transaction(async (m) => {
        const taken = new Set(
          (
            await m.find(ServiceRow, { where: { workspaceId: viewer.workspaceId }, select: { slug: true } })
          ).map((r) => r.slug),
        );
        const base = slugify(fields.name);
        let slug = base;
        for (let i = 2; taken.has(slug) || this.findEntry(slug); i++) slug = `${base}-${i}`;
        const id = newId();
        const row = m.create(ServiceRow, {
          id,
          workspaceId: viewer.workspaceId,
          kind: 'CUSTOM',
          slug,
          ...this.columnsOf(fields),
          clientSecretEncrypted: input.clientSecret
            ? this.box.encrypt(input.clientSecret, secretRef(id))
            : null,
          createdById: viewer.userId,
        });
        await m.save(ServiceRow, row);
        await this.audit.record(
          viewer,
          {
            action: 'service.created',
            targetType: 'service',
            targetId: id,
            message: `Created custom service "${fields.name}" (${fields.authType})`,
          },
          m,
        );
        return this.view(row);
      })
      .catch((e: unknown) => {
        // Two services with the same name created at once: the slug index lets one win.
        if (isUniqueViolation(e, 'slug'))
          throw new AppError(
            'CONFLICT',
            'A service with this name was created at the same time: try again.',
            { field: 'name' },
          );
        throw e;
      });
  }

  async update(viewer: Viewer, input: UpdateServiceInput): Promise<ServiceView> {
    return this.ds.transaction(async (m) => {
      const row = await m.findOneBy(ServiceRow, { id: input.id, workspaceId: viewer.workspaceId });
      if (!row) {
        if (input.id.startsWith(DEFAULT_ID_PREFIX))
          throw badInput(
            'id',
            'catalog services cannot be edited; set their client credentials with setServiceCredentials',
          );
        throw notFound('Service');
      }
      if (row.kind !== 'CUSTOM')
        throw badInput(
          'id',
          'catalog services cannot be edited; set their client credentials with setServiceCredentials',
        );
      const pick = <K extends keyof UpdateServiceInput>(k: K, current: unknown) =>
        input[k] === undefined ? current : input[k];
      // The GraphQL input lets every field be null, but these have no "cleared" state.
      for (const k of ['name', 'paramType'] as const)
        if (input[k] === null) throw badInput(k, 'cannot be cleared; leave it out to keep the current value');
      const secretChange = input.clientSecret;
      if (typeof secretChange === 'string') checkClientSecret(secretChange);
      // clientSecret: null clears the secret (e.g. a leaked one, before the provider issues a new one); the
      // service then reads hasClientSecret false, like a catalog service whose credentials are not set yet.
      // Only createCustomService insists on a secret.
      const fields = validateCustomService(
        {
          name: pick('name', row.name) as string,
          authType: row.authType!,
          paramType: pick('paramType', row.paramType) as ParamType,
          authorizeUrl: pick('authorizeUrl', row.authorizeUrl) as string | null,
          accessTokenUrl: pick('accessTokenUrl', row.accessTokenUrl) as string | null,
          requestTokenUrl: pick('requestTokenUrl', row.requestTokenUrl) as string | null,
          refreshUrl: pick('refreshUrl', row.refreshUrl) as string | null,
          revokeUrl: pick('revokeUrl', row.revokeUrl) as string | null,
          profileUrl: pick('profileUrl', row.profileUrl) as string | null,
          clientId: pick('clientId', row.clientId) as string | null,
          hasClientSecret: secretChange === undefined ? !!row.clientSecretEncrypted : !!secretChange,
          scopes: (pick('scopes', row.scopes) as string[] | null) ?? [],
          scopeDelimiter: (pick('scopeDelimiter', row.scopeDelimiter) as string | null) ?? ' ',
          apiBaseUrls: (pick('apiBaseUrls', row.apiBaseUrls) as string[] | null) ?? [],
          apiKeyParamName: pick('apiKeyParamName', row.apiKeyParamName) as string | null,
          authorizeParams: pick('authorizeParams', row.authorizeParams) as Record<string, string> | null,
        },
        { requireClientSecret: false },
      );
      Object.assign(row, this.columnsOf(fields));
      if (secretChange !== undefined)
        row.clientSecretEncrypted = secretChange ? this.box.encrypt(secretChange, secretRef(row.id)) : null;
      await m.save(ServiceRow, row);
      const changed = Object.keys(input).filter(
        (k) => k !== 'id' && input[k as keyof UpdateServiceInput] !== undefined,
      );
      await this.audit.record(
        viewer,
        {
          action: 'service.updated',
          targetType: 'service',
          targetId: row.id,
          message: `Updated custom service "${row.name}": ${changed.join(', ') || 'no fields'}`,
          metadata: { fields: changed.join(',') },
        },
        m,
      );
      return this.view(row);
    });
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.ds.transaction(async (m) => {
      const row = await m.findOneBy(ServiceRow, { id, workspaceId: viewer.workspaceId });
      if (!row || row.kind !== 'CUSTOM') throw notFound('Custom service');
      const users = await m.find(ConnectionRow, {
        where: { serviceId: row.id },
        select: { linkName: true },
        take: 6,
      });
      if (users.length > 0) {
        const names = users
          .slice(0, 5)
          .map((c) => c.linkName)
          .join(', ');
        throw new AppError(
          'CONFLICT',
          `Service "${row.name}" is used by connections (${names}${users.length > 5 ? ', ...' : ''}): delete them first.`,
          { linkNames: users.slice(0, 5).map((c) => c.linkName) },
        );
      }
      await m.delete(ServiceRow, { id: row.id });
      await this.audit.record(
        viewer,
        {
          action: 'service.deleted',
          targetType: 'service',
          targetId: row.id,
          message: `Deleted custom service "${row.name}"`,
        },
        m,
      );
      return row.id;
    });
  }

  async setCredentials(
    viewer: Viewer,
    slug: string,
    clientId: string,
    clientSecret: string,
  ): Promise<ServiceView> {
    const entry = this.findEntry(slug);
    if (!entry) throw notFound(`Catalog service "${slug}"`);
    if (entry.authType !== 'OAUTH2' && entry.authType !== 'OAUTH1')
      throw badInput('slug', `${entry.displayName} uses ${entry.authType}: it has no OAuth client`);
    if (!clientId.trim() || clientId.length > 512) throw badInput('clientId', 'must be 1 to 512 characters');
    checkClientSecret(clientSecret);
    return this.ds.transaction(async (m) => {
      let row = await m.findOneBy(ServiceRow, { workspaceId: viewer.workspaceId, slug });
      if (row && row.kind !== 'DEFAULT') throw notFound(`Catalog service "${slug}"`);
      if (!row)
        row = m.create(ServiceRow, { id: newId(), workspaceId: viewer.workspaceId, kind: 'DEFAULT', slug });
      row.clientId = clientId.trim();
      row.clientSecretEncrypted = this.box.encrypt(clientSecret, secretRef(row.id));
      await m.save(ServiceRow, row);
      await this.audit.record(
        viewer,
        {
          action: 'service.credentials_set',
          targetType: 'service',
          targetId: row.id,
          message: `Set the OAuth client of ${entry.displayName}`,
        },
        m,
      );
      return this.view(row, entry);
    });
  }

  private columnsOf(f: CustomServiceFields): Partial<ServiceRow> {
    return {
      name: f.name,
      authType: f.authType,
      paramType: f.paramType,
      authorizeUrl: f.authorizeUrl ?? null,
      accessTokenUrl: f.accessTokenUrl ?? null,
      requestTokenUrl: f.requestTokenUrl ?? null,
      refreshUrl: f.refreshUrl ?? null,
      revokeUrl: f.revokeUrl ?? null,
      profileUrl: f.profileUrl ?? null,
      clientId: f.clientId?.trim() || null,
      scopes: f.scopes,
      scopeDelimiter: f.scopeDelimiter,
      apiBaseUrls: f.apiBaseUrls,
      apiKeyParamName: f.apiKeyParamName ?? null,
      authorizeParams: f.authorizeParams ?? null,
    };
  }
}
