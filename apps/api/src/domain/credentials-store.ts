import type { Credentials } from '@connections/auth-flows';
import type { SecretBox } from '../crypto/secret-box';
import type { AuthorizationRow } from '../db/entities';

// An authorization's credentials are one encrypted JSON value bound to its row.
const ref = (authorizationId: string) => ({
  table: 'authorization',
  column: 'credentials',
  rowId: authorizationId,
});

export function sealCredentials(box: SecretBox, authorizationId: string, credentials: Credentials): string {
  return box.encryptJson(credentials, ref(authorizationId));
}

export function openCredentials(
  box: SecretBox,
  row: Pick<AuthorizationRow, 'id' | 'credentialsEncrypted'>,
): Credentials | null {
  return row.credentialsEncrypted
    ? box.decryptJson<Credentials>(row.credentialsEncrypted, ref(row.id))
    : null;
}
