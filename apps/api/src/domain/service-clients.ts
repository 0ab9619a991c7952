import type { CatalogEntry, ClientCredentials } from '@connections/auth-flows';
import type { DataSource } from 'typeorm';
import { ServiceRow } from '../db/entities';
import { newId } from '../db/entities/base';
import type { SecretBox } from '../crypto/secret-box';
import { badInput, notFound } from '../errors';
import type { AuditService } from './audit';
import type { ServiceCatalog } from './service-catalog';
import { checkClientId, checkClientSecret } from './service-validation';
import type { Viewer } from './viewer';

// Bound to its row: a sealed secret copied into another row does not open there.
const secretRef = (rowId: string) => ({ table: 'service', column: 'clientSecret', rowId });

/**
 * Each workspace's OAuth clients: the client id and sealed secret on a custom row, or on the DEFAULT row
 * that holds the workspace's client for a catalog service.
 */
export class ServiceClients {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly catalog: ServiceCatalog,
  ) {}

  /** Decrypts a row's client secret for a flow. Callers must never log or return it. */
  secretOf(row: ServiceRow): string | null {
    return row.clientSecretEncrypted ? this.box.decrypt(row.clientSecretEncrypted, secretRef(row.id)) : null;
  }

  seal(rowId: string, clientSecret: string): string {
    return this.box.encrypt(clientSecret, secretRef(rowId));
  }

  /** The workspace's OAuth client for a row, else the overlay's preconfigured one (sandbox services). */
  clientFor(row: ServiceRow | undefined, slug: string): ClientCredentials | null {
    const secret = row ? this.secretOf(row) : null;
    if (row?.clientId && secret) return { clientId: row.clientId, clientSecret: secret };
    return row?.kind === 'CUSTOM' ? null : this.catalog.presetClient(slug);
  }

  /** What a view shows of the client: its id and whether a secret is set, never the secret. */
  publicClient(
    row: ServiceRow | undefined,
    slug: string,
  ): { clientId: string | null; hasClientSecret: boolean } {
    const preset = row?.kind === 'CUSTOM' ? null : this.catalog.presetClient(slug);
    return {
      clientId: row?.clientId ?? preset?.clientId ?? null,
      hasClientSecret: !!row?.clientSecretEncrypted || !!preset,
    };
  }

  /** Sets the workspace's OAuth client of a catalog service, creating its DEFAULT row if needed. */
  async setCredentials(
    viewer: Viewer,
    slug: string,
    clientId: string,
    clientSecret: string,
  ): Promise<{ row: ServiceRow; entry: CatalogEntry }> {
    const entry = this.catalog.find(slug);
    if (!entry) throw notFound(`Catalog service "${slug}"`);
    if (entry.authType !== 'OAUTH2' && entry.authType !== 'OAUTH1')
      throw badInput('slug', `${entry.displayName} uses ${entry.authType}: it has no OAuth client`);
    const id = checkClientId(clientId);
    checkClientSecret(clientSecret);
    return this.ds.transaction(async (m) => {
      let row = await m.findOneBy(ServiceRow, { workspaceId: viewer.workspaceId, slug });
      if (row && row.kind !== 'DEFAULT') throw notFound(`Catalog service "${slug}"`);
      if (!row)
        row = m.create(ServiceRow, { id: newId(), workspaceId: viewer.workspaceId, kind: 'DEFAULT', slug });
      row.clientId = id;
      row.clientSecretEncrypted = this.seal(row.id, clientSecret);
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
      return { row, entry };
    });
  }
}
