import { AuthFlowError, type CatalogEntry, resolveSubdomain } from '@connections/auth-flows';
import type { DataSource, EntityManager } from 'typeorm';
import { ServiceRow } from '../db/entities';
import { newId } from '../db/entities/base';
import { badInput, notFound } from '../errors';
import type { AuditService } from './audit';
import type { CustomServiceRules } from './custom-services';
import type { ServiceCatalog } from './service-catalog';
import type { ServiceClients } from './service-clients';
import { tenantHostIsWorkspaces, withApiBaseUrlOverride } from './service-definition';
import { confirmHostChange, hostBearingChanges } from './service-hosts';
import { assertValidApiBaseUrls, checkClientId, checkClientSecret } from './service-validation';
import type { Viewer } from './viewer';

export interface CatalogCredentialsInput {
  slug: string;
  clientId: string;
  clientSecret: string;
  subdomain?: string | null;
}

export interface ApiBaseUrlsInput {
  slug: string;
  apiBaseUrls?: string[] | null;
  confirmReauthorization?: boolean | null;
}

/**
 * A workspace's settings for a catalog service, kept on its DEFAULT row: the OAuth client with the tenant host
 * it belongs to, and an override of the API base URLs (a regional or self-hosted variant). Each change is
 * audited; credentials held for the service never follow a host change silently; caches hear of it once it
 * has committed.
 */
export class CatalogServiceSettings {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly catalog: ServiceCatalog,
    private readonly clients: ServiceClients,
    private readonly rules: CustomServiceRules,
  ) {}

  /** Sets the workspace's OAuth client of a catalog service, with its tenant host when it has one. */
  async setCredentials(
    viewer: Viewer,
    input: CatalogCredentialsInput,
  ): Promise<{ row: ServiceRow; entry: CatalogEntry }> {
    const entry = this.entry(input.slug);
    if (entry.authType !== 'OAUTH2' && entry.authType !== 'OAUTH1')
      throw badInput('slug', `${entry.displayName} uses ${entry.authType}: it has no OAuth client`);
    const clientId = checkClientId(input.clientId);
    checkClientSecret(input.clientSecret);
    const subdomain = this.checkTenantHost(entry, input.subdomain);
    const row = await this.rules.events.transaction(this.ds, async (tx) => {
      const row = await this.rowFor(tx.manager, viewer, entry.slug);
      // A new tenant is a new authorization server: tokens issued by the old host are never sent to the new one.
      if (row.subdomain && row.subdomain !== subdomain)
        await this.rules.transitions.serviceHostsChanged(
          tx,
          viewer,
          { id: row.id, name: entry.displayName },
          ['subdomain'],
          true,
        );
      Object.assign(row, {
        clientId,
        subdomain,
        clientSecretEncrypted: this.clients.seal(row.id, input.clientSecret),
      });
      await tx.manager.save(ServiceRow, row);
      const message = `Set the OAuth client of ${entry.displayName}${subdomain ? ` for ${subdomain}` : ''}`;
      await this.record(viewer, tx.manager, row, 'service.credentials_set', message);
      return row;
    });
    this.rules.invalidator?.invalidate('service', row.id);
    return { row, entry };
  }

  /** Replaces (or, with none, restores) the catalog's API base URLs for this workspace. */
  async setApiBaseUrls(
    viewer: Viewer,
    input: ApiBaseUrlsInput,
  ): Promise<{ row: ServiceRow; entry: CatalogEntry }> {
    const entry = this.entry(input.slug);
    const urls = [...new Set((input.apiBaseUrls ?? []).map((url) => url.trim()))];
    if (urls.length > 0) assertValidApiBaseUrls(urls, this.rules.urlPolicy);
    const row = await this.rules.events.transaction(this.ds, async (tx) => {
      const row = await this.rowFor(tx.manager, viewer, entry.slug);
      const before = withApiBaseUrlOverride(entry, row.apiBaseUrls);
      const after = withApiBaseUrlOverride(entry, urls);
      const service = { id: row.id, name: entry.displayName };
      const confirmed = input.confirmReauthorization === true;
      await confirmHostChange(this.rules, tx, viewer, service, hostBearingChanges(before, after), confirmed);
      row.apiBaseUrls = urls.length > 0 ? urls : null;
      await tx.manager.save(ServiceRow, row);
      const message =
        urls.length > 0
          ? `Set the API base URLs of ${entry.displayName} to ${urls.join(', ')}`
          : `Restored the catalog's API base URLs of ${entry.displayName}`;
      await this.record(viewer, tx.manager, row, 'service.api_base_urls_set', message);
      return row;
    });
    this.rules.invalidator?.invalidate('service', row.id);
    return { row, entry };
  }

  private entry(slug: string): CatalogEntry {
    const entry = this.catalog.find(slug);
    if (!entry) throw notFound(`Catalog service "${slug}"`);
    return entry;
  }

  /** The tenant host an admin gives with the client: required exactly when the catalog entry has one. */
  private checkTenantHost(entry: CatalogEntry, value: string | null | undefined): string | null {
    const host = value?.trim() || null;
    if (!entry.subdomain || !tenantHostIsWorkspaces(entry)) {
      if (host) throw badInput('subdomain', `${entry.displayName} has no per-tenant host`);
      return null;
    }
    if (!host)
      throw badInput(
        'subdomain',
        `${entry.displayName} needs the host its OAuth client belongs to (the [subdomain])`,
      );
    try {
      resolveSubdomain(entry, host); // a real host label, and one that cannot move any URL to another host
    } catch (e) {
      if (e instanceof AuthFlowError) throw badInput('subdomain', e.message);
      throw e;
    }
    return host;
  }

  private async rowFor(m: EntityManager, viewer: Viewer, slug: string): Promise<ServiceRow> {
    const row = await m.findOneBy(ServiceRow, { workspaceId: viewer.workspaceId, slug });
    if (row && row.kind !== 'DEFAULT') throw notFound(`Catalog service "${slug}"`);
    return (
      row ?? m.create(ServiceRow, { id: newId(), workspaceId: viewer.workspaceId, kind: 'DEFAULT', slug })
    );
  }

  private async record(viewer: Viewer, m: EntityManager, row: ServiceRow, action: string, message: string) {
    await this.audit.record(viewer, { action, targetType: 'service', targetId: row.id, message }, m);
  }
}
