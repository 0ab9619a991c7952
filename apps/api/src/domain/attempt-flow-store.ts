import type { FlowStateStore } from '@connections/auth-flows';
import type { DataSource } from 'typeorm';
import { DecryptionError, type SecretBox, type SecretRef } from '../crypto/secret-box';
import { AuthorizationAttemptRow } from '../db/entities';

const ref = (attemptId: string): SecretRef => ({
  table: 'authorization_attempt',
  column: 'flowState',
  rowId: attemptId,
});

// Only an attempt in flight holds a flow: opened (the connect route checked who opened it), not completed,
// not expired. The same condition guards reads and writes, so a late write cannot revive a finished flow.
const IN_FLIGHT = 'id = :id AND "openedAt" IS NOT NULL AND "completedAt" IS NULL AND "expiresAt" > :now';

/**
 * The OAuth dance's state (grant's `state`, PKCE verifier, OAuth 1.0a request token secret) kept in the
 * attempt's row, encrypted like every secret: the provider's redirect may land on any replica, and nothing
 * lives only in one process's memory. auth-flows uses the attempt id as the session id, so this is the
 * whole session store of the dance. AttemptsService.complete clears the column when the attempt ends.
 */
export class AttemptFlowStore implements FlowStateStore {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
  ) {}

  async load(attemptId: string): Promise<Record<string, unknown> | null> {
    const row = await this.ds.getRepository(AuthorizationAttemptRow).findOne({
      where: { id: attemptId },
      select: { id: true, flowState: true, openedAt: true, completedAt: true, expiresAt: true },
    });
    if (!row?.flowState || !row.openedAt || row.completedAt || row.expiresAt.getTime() <= Date.now())
      return null;
    try {
      return this.box.decryptJson<Record<string, unknown>>(row.flowState, ref(attemptId));
    } catch (e) {
      // A value that no key in hand opens is a flow that cannot go on; failing the request instead would
      // keep failing every later connect of this browser while its cookie lives.
      if (e instanceof DecryptionError) return null;
      throw e;
    }
  }

  async save(attemptId: string, state: Record<string, unknown>): Promise<void> {
    await this.ds
      .getRepository(AuthorizationAttemptRow)
      .createQueryBuilder()
      .update()
      .set({ flowState: this.box.encryptJson(state, ref(attemptId)) })
      .where(IN_FLIGHT, { id: attemptId, now: new Date() })
      .execute();
  }

  async clear(attemptId: string): Promise<void> {
    await this.ds
      .getRepository(AuthorizationAttemptRow)
      .createQueryBuilder()
      .update()
      .set({ flowState: null })
      .where('id = :id AND "flowState" IS NOT NULL', { id: attemptId })
      .execute();
  }
}
