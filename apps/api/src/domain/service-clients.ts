import type { ClientCredentials } from '@connections/auth-flows';
import type { ServiceRow } from '../db/entities';
import type { SecretBox } from '../crypto/secret-box';
import type { ServiceCatalog } from './service-catalog';

// Bound to its row: a sealed secret copied into another row does not open there.
const secretRef = (rowId: string) => ({ table: 'service', column: 'clientSecret', rowId });

/**
 * Each workspace's OAuth clients: the client id and sealed secret on a custom row, or on the DEFAULT row
 * that holds the workspace's client for a catalog service (set through CatalogServiceSettings).
 */
export class ServiceClients {
  constructor(
    private readonly box: SecretBox,
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
}
