import type { OAuth2Credentials } from '@connections/auth-flows';
import { AuthorizationEventType } from '@connections/schema';
import type { Logger } from 'pino';
import { type DataSource, In, IsNull, Not } from 'typeorm';
import type { SecretBox } from '../crypto/secret-box';
import { AuthorizationRow } from '../db/entities';
import type { AuthorizationEvents } from './authorization-events';
import type { AuthorizationStore } from './authorization-store';
import type { EventConnection } from './authorization-transitions';
import { sealCredentials } from './credentials-store';
import { REFRESH_RESET, tokenColumns } from './refresh-state';
import { recordScopeGap } from './scope-drift';

/** lastUsedAt is kept to this resolution: at most one write per authorization per minute, not one per call. */
export const USE_RESOLUTION_MS = 60_000;

/**
 * The refresh's writes to authorization rows: its outcomes (REFRESHED; REFRESH_FAILED with the backoff every
 * replica reads; NEEDS_REAUTH), each with its event in one transaction like every transition, and the
 * bookkeeping that announces nothing: REFRESHING while a token request is in flight, when an authorization was
 * last used, and the columns older rows lack. With AuthorizationTransitions and the store, the only code that
 * touches authorization rows.
 */
export class RefreshTransitions {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
    private readonly store: AuthorizationStore,
    private readonly events: AuthorizationEvents,
    private readonly logger: Logger,
  ) {}

  /**
   * A refresh succeeded: access and (rotated) refresh token land together, or not at all. A compare-and-set on
   * the sealed value the refresher read: if anything replaced it meanwhile (a reconnect, a revoke), the newer
   * row wins and this returns false. `auth` is the row as the refresher read it under the lock: the grant
   * this one replaces, for the scope-drift check.
   */
  async refreshed(
    connection: EventConnection,
    auth: AuthorizationRow,
    next: OAuth2Credentials,
    sealedBefore: string,
  ): Promise<boolean> {
    return this.events.transaction(this.ds, async (tx) => {
      const { affected } = await tx.manager.update(
        AuthorizationRow,
        { id: auth.id, credentialsEncrypted: sealedBefore },
        {
          credentialsEncrypted: sealCredentials(this.box, auth.id, next),
          ...tokenColumns(next),
          ...REFRESH_RESET,
          grantedScopes: next.scopes,
          status: 'CONNECTED',
          lastError: null,
        },
      );
      if (affected !== 1) return false;
      const base = {
        connection,
        principal: await this.store.person(auth.principalId, undefined, tx.manager),
        actorId: null,
        status: 'CONNECTED',
      };
      const message = `Refreshed the access token of ${connection.linkName}`;
      await this.events.record(tx, { ...base, type: AuthorizationEventType.REFRESHED, message });
      const [requested, granted, previous] = [connection.scopes, next.scopes, auth.grantedScopes];
      await recordScopeGap(this.events, tx, { ...base, requested, granted, previous });
      return true;
    });
  }

  /**
   * A refresh failed: REFRESH_FAILED (transient: no token request before `retryAt`, the backoff every replica
   * reads) or NEEDS_REAUTH (terminal). A compare-and-set on the credentials the refresher read, when it read
   * them: a reconnect meanwhile is newer than this failure.
   */
  async refreshFailed(
    connection: EventConnection,
    auth: AuthorizationRow,
    error: { terminal: boolean; message: string; failures: number; retryAt: Date | null },
    sealedBefore?: string,
  ): Promise<void> {
    const status = error.terminal ? 'NEEDS_REAUTH' : 'REFRESH_FAILED';
    await this.events.transaction(this.ds, async (tx) => {
      const { affected } = await tx.manager.update(
        AuthorizationRow,
        { id: auth.id, ...(sealedBefore ? { credentialsEncrypted: sealedBefore } : {}) },
        {
          status,
          lastError: error.message.slice(0, 1000),
          refreshStartedAt: null,
          refreshFailures: error.failures,
          nextRefreshAt: error.retryAt,
        },
      );
      if (affected !== 1) return;
      await this.events.record(tx, {
        type: error.terminal ? AuthorizationEventType.NEEDS_REAUTH : AuthorizationEventType.REFRESH_FAILED,
        connection,
        principal: await this.store.person(auth.principalId, undefined, tx.manager),
        actorId: null,
        status,
        message: error.terminal
          ? `${connection.linkName} must be reconnected: ${error.message}`
          : `Refreshing ${connection.linkName} failed and will be retried: ${error.message}`,
      });
    });
  }

  /**
   * REFRESHING, written by the lock holder right before its token request, as a compare-and-set on the
   * credentials it read (a reconnect or a revoke meanwhile wins). No event: the outcome (REFRESHED,
   * REFRESH_FAILED, NEEDS_REAUTH) ends it and is what subscribers hear. A holder that dies leaves it behind:
   * readers take a stale one for the status before it (effectiveStatus) and the next lock holder overwrites
   * it, so no connection stays stuck in REFRESHING.
   */
  async markRefreshing(id: string, sealedBefore: string): Promise<void> {
    await this.ds.getRepository(AuthorizationRow).update(
      {
        id,
        credentialsEncrypted: sealedBefore,
        status: In(['CONNECTED', 'REFRESH_FAILED', 'REFRESHING']),
      },
      { status: 'REFRESHING', refreshStartedAt: new Date() },
    );
  }

  /**
   * Remembers that an invocation used the authorization, to the minute: the row in hand (possibly cached)
   * carries the new time, and the write is skipped while the stored one is recent, so a busy connection costs
   * one small write a minute per replica, off the call's path. `updatedAt` is left alone (nothing changed).
   */
  noteUse(auth: AuthorizationRow, now = Date.now()): void {
    if (auth.lastUsedAt && now - auth.lastUsedAt.getTime() < USE_RESOLUTION_MS) return;
    auth.lastUsedAt = new Date(now);
    void this.ds
      .createQueryBuilder()
      .update(AuthorizationRow)
      .set({ lastUsedAt: auth.lastUsedAt, updatedAt: () => '"updatedAt"' })
      .where('id = :id AND ("lastUsedAt" IS NULL OR "lastUsedAt" < :since)', {
        id: auth.id,
        since: new Date(now - USE_RESOLUTION_MS),
      })
      .execute()
      .catch((err: unknown) => this.logger.warn({ err }, 'could not record when an authorization was used'));
  }

  /**
   * Rows stored before hasRefreshToken and refreshDueAt existed get them from their credentials, once, at
   * start-up (idempotent: replicas starting together do no harm).
   */
  async backfill(batch = 200): Promise<number> {
    const repo = this.ds.getRepository(AuthorizationRow);
    let done = 0;
    for (;;) {
      const rows = await repo.find({
        where: { hasRefreshToken: IsNull(), credentialsEncrypted: Not(IsNull()) },
        select: { id: true, credentialsEncrypted: true },
        take: batch,
      });
      for (const row of rows) {
        let columns: Partial<ReturnType<typeof tokenColumns>> = { hasRefreshToken: false };
        try {
          const credentials = this.store.credentialsOf(row);
          if (credentials) columns = tokenColumns(credentials);
        } catch (err) {
          this.logger.warn({ err, authorizationId: row.id }, 'could not read stored credentials');
        }
        await repo.update({ id: row.id, hasRefreshToken: IsNull() }, columns);
      }
      done += rows.length;
      if (rows.length < batch) return done;
    }
  }
}
