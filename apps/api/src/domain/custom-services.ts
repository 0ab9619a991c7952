import type { ServiceDefinition } from '@connections/auth-flows';
import type { CreateCustomServiceInput, UpdateServiceInput } from '@connections/schema';
import type { DataSource, EntityManager } from 'typeorm';
import { ConnectionRow, ServiceRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { AuthType } from '../db/entities/service';
import { isUniqueViolation } from '../db/sql';
import { AppError, badInput, notFound } from '../errors';
import type { AuditService } from './audit';
import type { AuthorizationEvents } from './authorization-events';
import type { AuthorizationTransitions } from './authorization-transitions';
import { DEFAULT_ID_PREFIX, type ServiceCatalog } from './service-catalog';
import type { ServiceClients } from './service-clients';
import { columnsOf, definitionOfCustomRow, withCustomFields } from './service-definition';
import {
  assertValidCustomDefinition,
  checkClientSecret,
  checkCustomClient,
  type CustomUrlPolicy,
} from './service-validation';
import type { Invalidator } from './invalidation';
import { confirmHostChange, hostBearingChanges } from './service-hosts';
import type { Viewer } from './viewer';

/** A custom service's definition and OAuth client id, checked, not yet stored (extension manifests). */
export type CheckedCustomService = { definition: ServiceDefinition; clientId: string | null };

/** What editing custom services needs besides storage: the deployment's URL policy, the authorizations it moves. */
export interface CustomServiceRules {
  urlPolicy: CustomUrlPolicy;
  events: AuthorizationEvents;
  transitions: AuthorizationTransitions;
  /** Tells every replica's caches (the invocation plans) that a service changed, once it has committed. */
  invalidator?: Invalidator;
}

const NO_SECRET = { requireClientSecret: false };
const NOT_EDITABLE =
  'catalog services cannot be edited; set their client credentials with setServiceCredentials';

function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return s || 'service';
}

/** A new custom service's starting point, before the admin's fields are laid over it. */
function blankDefinition(name: string, authType: AuthType): ServiceDefinition {
  return {
    slug: slugify(name),
    displayName: '',
    authType,
    paramType: 'HEADERS',
    scopes: [],
    defaultScopes: [],
    scopeDelimiter: ' ',
    apiBaseUrls: [],
  };
}

/** The services a workspace defines itself: created, edited and deleted by its admins, each audited. */
export class CustomServices {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly catalog: ServiceCatalog,
    private readonly clients: ServiceClients,
    private readonly rules: CustomServiceRules,
  ) {}

  async create(viewer: Viewer, input: CreateCustomServiceInput): Promise<ServiceRow> {
    const definition = withCustomFields(blankDefinition(input.name, input.authType), input);
    assertValidCustomDefinition(definition, this.rules.urlPolicy);
    const clientId = checkCustomClient(input.authType, input.clientId, !!input.clientSecret, {
      requireClientSecret: true,
    });
    if (input.clientSecret) checkClientSecret(input.clientSecret);
    return this.ds
      .transaction(async (m) => {
        const slug = await this.freeSlug(m, viewer.workspaceId, definition.displayName);
        const id = newId();
        const row = m.create(ServiceRow, {
          id,
          workspaceId: viewer.workspaceId,
          kind: 'CUSTOM',
          slug,
          ...columnsOf(definition),
          clientId,
          clientSecretEncrypted: input.clientSecret ? this.clients.seal(id, input.clientSecret) : null,
          createdById: viewer.userId,
        });
        await m.save(ServiceRow, row);
        const message = `Created custom service "${definition.displayName}" (${definition.authType})`;
        await this.audit.record(
          viewer,
          { action: 'service.created', targetType: 'service', targetId: id, message },
          m,
        );
        return row;
      })
      .catch((e: unknown) => {
        // Two services with the same name created at once: the slug index lets one win.
        if (isUniqueViolation(e, 'slug'))
          throw new AppError(
            'CONFLICT',
            'A service with this name was created at the same time: try again.',
            {
              field: 'name',
            },
          );
        throw e;
      });
  }

  /**
   * Extension manifests: a custom service's fields checked as create checks them, but without a client secret
   * (a manifest carries none; an admin enters it with updateService once installed) and, for OAuth, with the
   * client id optional too. Errors name the field, as create's do.
   */
  checkWithoutSecret(input: Omit<CreateCustomServiceInput, 'clientSecret'>): CheckedCustomService {
    const definition = withCustomFields(blankDefinition(input.name, input.authType), input);
    assertValidCustomDefinition(definition, this.rules.urlPolicy);
    const clientId = input.clientId?.trim() || null;
    return {
      definition,
      clientId: clientId && checkCustomClient(input.authType, clientId, false, NO_SECRET),
    };
  }

  /** Stores a checked service (no client secret) in the caller's transaction: an extension install. */
  async createChecked(viewer: Viewer, checked: CheckedCustomService, m: EntityManager): Promise<ServiceRow> {
    const { definition, clientId } = checked;
    const id = newId();
    const row = m.create(ServiceRow, {
      id,
      workspaceId: viewer.workspaceId,
      kind: 'CUSTOM',
      slug: await this.freeSlug(m, viewer.workspaceId, definition.displayName),
      ...columnsOf(definition),
      clientId,
      clientSecretEncrypted: null,
      createdById: viewer.userId,
    });
    await m.save(ServiceRow, row);
    const message = `Created custom service "${definition.displayName}" from an extension manifest`;
    await this.audit.record(
      viewer,
      { action: 'service.created', targetType: 'service', targetId: id, message },
      m,
    );
    return row;
  }

  /** A slug from the name that neither a service of the workspace nor the catalog uses. */
  private async freeSlug(m: EntityManager, workspaceId: string, name: string): Promise<string> {
    const rows = await m.find(ServiceRow, { where: { workspaceId }, select: { slug: true } });
    const taken = new Set(rows.map((r) => r.slug));
    const base = slugify(name);
    let slug = base;
    for (let i = 2; taken.has(slug) || this.catalog.find(slug); i++) slug = `${base}-${i}`;
    return slug;
  }

  async update(viewer: Viewer, input: UpdateServiceInput): Promise<ServiceRow> {
    const row = await this.rules.events.transaction(this.ds, async (tx) => {
      const m = tx.manager;
      const row = await m.findOneBy(ServiceRow, { id: input.id, workspaceId: viewer.workspaceId });
      if (!row && !input.id.startsWith(DEFAULT_ID_PREFIX)) throw notFound('Service');
      if (!row || row.kind !== 'CUSTOM') throw badInput('id', NOT_EDITABLE);
      // The GraphQL input lets every field be null, but these have no "cleared" state.
      for (const k of ['name', 'paramType'] as const)
        if (input[k] === null) throw badInput(k, 'cannot be cleared; leave it out to keep the current value');
      const secretChange = input.clientSecret;
      if (typeof secretChange === 'string') checkClientSecret(secretChange);
      const before = definitionOfCustomRow(row);
      const definition = withCustomFields(before, input);
      assertValidCustomDefinition(definition, this.rules.urlPolicy);
      // clientSecret: null clears the secret (e.g. a leaked one, before the provider issues a new one); the
      // service then reads hasClientSecret false, like a catalog service whose credentials are not set yet.
      // Only createCustomService insists on a secret.
      const clientId = checkCustomClient(
        definition.authType,
        input.clientId === undefined ? row.clientId : input.clientId,
        secretChange === undefined ? !!row.clientSecretEncrypted : !!secretChange,
        { requireClientSecret: false },
      );
      const service = { id: row.id, name: row.name ?? row.slug };
      const confirmed = input.confirmReauthorization === true;
      await confirmHostChange(
        this.rules,
        tx,
        viewer,
        service,
        hostBearingChanges(before, definition),
        confirmed,
      );
      Object.assign(row, columnsOf(definition), { clientId });
      if (secretChange !== undefined)
        row.clientSecretEncrypted = secretChange ? this.clients.seal(row.id, secretChange) : null;
      await m.save(ServiceRow, row);
      await this.recordUpdate(viewer, row, input, m);
      return row;
    });
    this.rules.invalidator?.invalidate('service', row.id);
    return row;
  }

  private async recordUpdate(viewer: Viewer, row: ServiceRow, input: UpdateServiceInput, m: EntityManager) {
    const changed = Object.keys(input).filter(
      (k) =>
        k !== 'id' && k !== 'confirmReauthorization' && input[k as keyof UpdateServiceInput] !== undefined,
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
        const names = users.slice(0, 5).map((c) => c.linkName);
        throw new AppError(
          'CONFLICT',
          `Service "${row.name}" is used by connections (${names.join(', ')}${users.length > 5 ? ', ...' : ''}): delete them first.`,
          { linkNames: names },
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
}
