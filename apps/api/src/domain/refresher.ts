import {
  AuthFlowError,
  type ClientCredentials,
  type Credentials,
  type Lock,
  needsRefresh,
  refreshBackoffMs,
  type RefreshBackoffOptions,
  RefreshCoordinator,
  type RefreshOptions,
  type ServiceDefinition,
} from '@connections/auth-flows';
import type { Logger } from 'pino';
import type { AuthorizationRow, ConnectionRow } from '../db/entities';
import { AppError } from '../errors';
import type { AuthorizationStore } from './authorization-store';
import { type ConnectUrlOf, needsAuthorization } from './needs-authorization';
import type { RefreshTransitions } from './refresh-transitions';

export type RefreshOutcome = 'refreshed' | 'transient_failure' | 'terminal_failure';

export interface RefresherOptions {
  /** One refresh per authorization across processes (the cluster's lock); in-memory by default. */
  lock?: Lock;
  onOutcome?: (outcome: RefreshOutcome) => void;
  /** Reaches token endpoints under the deployment's network policy. */
  fetch?: RefreshOptions['fetch'];
  /** Where NEEDS_AUTHORIZATION errors send the user. */
  connectUrl: ConnectUrlOf;
  /** Waits after transient failures (CONNECTIONS_REFRESH_BACKOFF_*). */
  backoff?: RefreshBackoffOptions;
}

interface Attempt {
  rejectedAccessToken?: string;
  dueWithinMs?: number;
}

/**
 * Keeps an authorization's OAuth 2.0 token fresh: before expiry (a margin scaled to the token's lifetime), once
 * after a 401, and ahead of time for the background refresh. One refresh per authorization at a time
 * (single-flight in the process, the Lock across processes); a caller that waited re-reads the stored token
 * first. REFRESHING is written while the token request is in flight. A transient failure sets a backoff (in the
 * row, so every replica honours it): until it ends no caller reaches the token endpoint for this
 * authorization. The rotated refresh token is saved with the access token in one transaction. Outcomes move
 * the authorization's status and publish REFRESHED, REFRESH_FAILED or NEEDS_REAUTH.
 */
export class Refresher {
  private readonly coordinator: RefreshCoordinator;
  /**
   * The refresh in progress per authorization, failure handling included. The coordinator already shares one
   * token request among concurrent callers, but each of them would then record the shared failure again:
   * fifty waiting invocations meant fifty REFRESH_FAILED events and status writes for one refresh.
   */
  private readonly flights = new Map<string, Promise<Credentials>>();
  private readonly onOutcome: (outcome: RefreshOutcome) => void;

  constructor(
    private readonly store: AuthorizationStore,
    private readonly writes: RefreshTransitions,
    private readonly logger: Logger,
    private readonly options: RefresherOptions,
  ) {
    this.coordinator = new RefreshCoordinator({
      lock: options.lock,
      refreshOptions: { fetch: options.fetch },
    });
    this.onOutcome = options.onOutcome ?? (() => {});
  }

  /** Cheap check on the copy in hand; the coordinator re-checks under the lock. */
  wanted(credentials: Credentials): boolean {
    return credentials.type === 'OAUTH2' && needsRefresh(credentials, Date.now());
  }

  /** An invocation is using the authorization (kept to the minute, for the background refresh). */
  used(auth: AuthorizationRow): void {
    this.writes.noteUse(auth);
  }

  /** Refreshes when due (or, with `rejectedAccessToken`, when an API just refused that token). */
  refresh(
    connection: ConnectionRow,
    auth: AuthorizationRow,
    service: ServiceDefinition,
    client: ClientCredentials | null,
    rejectedAccessToken?: string,
  ): Promise<Credentials> {
    return this.fly(connection, auth, service, client, { rejectedAccessToken });
  }

  /** Refreshes when the token becomes due within `dueWithinMs` (the background refresh, ahead of the calls). */
  refreshAhead(
    connection: ConnectionRow,
    auth: AuthorizationRow,
    service: ServiceDefinition,
    client: ClientCredentials | null,
    dueWithinMs: number,
  ): Promise<Credentials> {
    return this.fly(connection, auth, service, client, { dueWithinMs });
  }

  private fly(
    connection: ConnectionRow,
    auth: AuthorizationRow,
    service: ServiceDefinition,
    client: ClientCredentials | null,
    attempt: Attempt,
  ): Promise<Credentials> {
    const joined = this.flights.get(auth.id);
    if (joined) return joined;
    const flight = this.run(connection, auth, service, client, attempt).finally(() =>
      this.flights.delete(auth.id),
    );
    this.flights.set(auth.id, flight);
    return flight;
  }

  private async run(
    connection: ConnectionRow,
    auth: AuthorizationRow,
    service: ServiceDefinition,
    client: ClientCredentials | null,
    attempt: Attempt,
  ): Promise<Credentials> {
    const link = connection.linkName;
    if (!client)
      throw needsAuthorization(
        this.options.connectUrl,
        connection,
        auth.status,
        `${service.displayName} has no OAuth client configured, so the token of ${link} cannot be refreshed.`,
      );
    // The copy in hand already says to wait: not even the lock is taken.
    const early = this.backingOff(connection, service, auth);
    if (early) throw early;
    // The row the lock holder read: saving is a compare-and-set against its sealed credentials.
    let read: AuthorizationRow | undefined;
    try {
      const { credentials } = await this.coordinator.ensureFresh(auth.id, {
        service,
        client,
        ...attempt,
        reload: async () => {
          const { row, credentials: stored } = await this.store.reload(auth.id);
          read = row;
          return this.usableUnderLock(connection, service, row, stored);
        },
        begin: () => this.writes.markRefreshing(auth.id, read?.credentialsEncrypted ?? ''),
        save: async (next) => {
          if (await this.writes.refreshed(connection, read ?? auth, next, read?.credentialsEncrypted ?? ''))
            this.onOutcome('refreshed');
          // The new tokens still serve this call; the row someone wrote meanwhile is the newer state.
          else
            this.logger.warn({ connectionId: connection.id }, 'the authorization changed during a refresh');
        },
      });
      return credentials;
    } catch (error) {
      if (!(error instanceof AuthFlowError)) throw error;
      throw await this.failed(connection, read ?? auth, service, error, read?.credentialsEncrypted);
    }
  }

  /** What the lock holder found stored: credentials to refresh, or a reason not to send a token request. */
  private usableUnderLock(
    connection: ConnectionRow,
    service: ServiceDefinition,
    row: AuthorizationRow,
    stored: Credentials | null,
  ): Credentials {
    const link = connection.linkName;
    if (!stored)
      throw needsAuthorization(
        this.options.connectUrl,
        connection,
        row.status,
        `The authorization of ${link} was revoked meanwhile.`,
      );
    // Whoever held the lock before found the grant dead: another token request would only fail again (and
    // publish NEEDS_REAUTH once more).
    if (row.status === 'NEEDS_REAUTH')
      throw needsAuthorization(
        this.options.connectUrl,
        connection,
        row.status,
        `${service.displayName} refused to refresh the token of ${link}.`,
      );
    // Another replica's refresh failed a moment ago: its backoff holds here too.
    const wait = this.backingOff(connection, service, row);
    if (wait) throw wait;
    return stored;
  }

  /** REFRESH_FAILED without a token request while the last transient failure's backoff runs. */
  private backingOff(
    connection: ConnectionRow,
    service: ServiceDefinition,
    row: AuthorizationRow,
  ): AppError | undefined {
    const until = row.nextRefreshAt;
    if (!until || until.getTime() <= Date.now()) return undefined;
    return new AppError(
      'REFRESH_FAILED',
      `${service.displayName} could not refresh the token of ${connection.linkName} lately; the next attempt is after ${until.toISOString()}.`,
      { linkName: connection.linkName, retryAt: until.toISOString() },
    );
  }

  /** Records a failed token request (status, backoff, one event) and returns the caller's error. */
  private async failed(
    connection: ConnectionRow,
    row: AuthorizationRow,
    service: ServiceDefinition,
    error: AuthFlowError,
    sealedBefore: string | null | undefined,
  ): Promise<AppError> {
    const terminal = error.terminal;
    this.onOutcome(terminal ? 'terminal_failure' : 'transient_failure');
    this.logger.warn(
      { connectionId: connection.id, code: error.code, oauthError: error.oauthError, status: error.status },
      'token refresh failed',
    );
    const failures = terminal ? row.refreshFailures : (row.refreshFailures ?? 0) + 1;
    const retryAt = terminal ? null : new Date(Date.now() + refreshBackoffMs(failures, this.options.backoff));
    const outcome = { terminal, message: error.message, failures, retryAt };
    await this.writes.refreshFailed(connection, row, outcome, sealedBefore ?? undefined);
    if (terminal)
      return needsAuthorization(
        this.options.connectUrl,
        connection,
        'NEEDS_REAUTH',
        `${service.displayName} refused to refresh the token of ${connection.linkName} (${error.oauthError ?? error.code}).`,
      );
    return new AppError(
      'REFRESH_FAILED',
      `${service.displayName} could not refresh the token just now (${error.message}); the next attempt is after ${retryAt!.toISOString()}.`,
      { linkName: connection.linkName, retryAt: retryAt!.toISOString() },
    );
  }
}
