import {
  AuthFlowError,
  type ClientCredentials,
  type Credentials,
  type Lock,
  type RefreshOptions,
  needsRefresh,
  RefreshCoordinator,
  type ServiceDefinition,
} from '@connections/auth-flows';
import type { Logger } from 'pino';
import type { AuthorizationRow, ConnectionRow } from '../db/entities';
import { AppError } from '../errors';
import type { AuthorizationStore } from './authorization-store';
import type { AuthorizationTransitions } from './authorization-transitions';

export type RefreshOutcome = 'refreshed' | 'transient_failure' | 'terminal_failure';

/**
 * Keeps an authorization's OAuth 2.0 token fresh: before expiry (margin) and once after a 401. One refresh
 * per authorization at a time (single-flight in the process, the Lock across processes); a caller that
 * waited re-reads the stored token first. The rotated refresh token is saved with the access token in one
 * transaction. Outcomes move the authorization's status and publish REFRESHED, REFRESH_FAILED or
 * NEEDS_REAUTH.
 */
export class Refresher {
  private readonly coordinator: RefreshCoordinator;
  /**
   * The refresh in progress per authorization, failure handling included. The coordinator already shares one
   * token request among concurrent callers, but each of them would then record the shared failure again:
   * fifty waiting invocations meant fifty REFRESH_FAILED events and status writes for one refresh.
   */
  private readonly flights = new Map<string, Promise<Credentials>>();

  constructor(
    private readonly store: AuthorizationStore,
    private readonly transitions: AuthorizationTransitions,
    private readonly logger: Logger,
    lock?: Lock,
    private readonly onOutcome: (outcome: RefreshOutcome) => void = () => {},
    /** Reaches token endpoints under the deployment's network policy. */
    fetchImpl?: RefreshOptions['fetch'],
  ) {
    this.coordinator = new RefreshCoordinator({ lock, refreshOptions: { fetch: fetchImpl } });
  }

  /** Cheap check on the copy in hand; the coordinator re-checks under the lock. */
  wanted(credentials: Credentials): boolean {
    return credentials.type === 'OAUTH2' && needsRefresh(credentials, Date.now());
  }

  refresh(
    connection: ConnectionRow,
    auth: AuthorizationRow,
    service: ServiceDefinition,
    client: ClientCredentials | null,
    rejectedAccessToken?: string,
  ): Promise<Credentials> {
    const joined = this.flights.get(auth.id);
    if (joined) return joined;
    const flight = this.run(connection, auth, service, client, rejectedAccessToken).finally(() =>
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
    rejectedAccessToken?: string,
  ): Promise<Credentials> {
    if (!client)
      throw new AppError(
        'NEEDS_AUTHORIZATION',
        `${service.displayName} has no OAuth client configured, so its token cannot be refreshed.`,
      );
    // The sealed value the lock holder read: saving is a compare-and-set against it.
    let sealedBefore = '';
    try {
      const { credentials } = await this.coordinator.ensureFresh(auth.id, {
        service,
        client,
        rejectedAccessToken,
        reload: async () => {
          const { row, credentials: stored } = await this.store.reload(auth.id);
          sealedBefore = row.credentialsEncrypted ?? '';
          if (!stored) throw new AppError('NEEDS_AUTHORIZATION', 'The authorization was revoked meanwhile.');
          // Whoever held the lock before found the grant dead: another token request would only fail again
          // (and publish NEEDS_REAUTH once more).
          if (row.status === 'NEEDS_REAUTH')
            throw new AppError(
              'NEEDS_AUTHORIZATION',
              `${service.displayName} refused to refresh the token: reconnect ${connection.linkName}.`,
              { linkName: connection.linkName },
            );
          return stored;
        },
        save: async (next) => {
          if (await this.transitions.refreshed(connection, auth, next, sealedBefore))
            this.onOutcome('refreshed');
          // The new tokens still serve this call; the row someone wrote meanwhile is the newer state.
          else this.logger.warn({ connectionId: connection.id }, 'the authorization changed during a refresh');
        },
      });
      return credentials;
    } catch (error) {
      if (!(error instanceof AuthFlowError)) throw error;
      await this.recordFailure(connection, auth, error);
      if (error.terminal)
        throw new AppError(
          'NEEDS_AUTHORIZATION',
          `${service.displayName} refused to refresh the token (${error.oauthError ?? error.code}): reconnect ${connection.linkName}.`,
          { linkName: connection.linkName },
        );
      throw new AppError(
        'REFRESH_FAILED',
        `${service.displayName} could not refresh the token just now (${error.message}); the next call tries again.`,
        { linkName: connection.linkName },
      );
    }
  }

  private async recordFailure(
    connection: ConnectionRow,
    auth: AuthorizationRow,
    error: AuthFlowError,
  ): Promise<void> {
    const terminal = error.terminal;
    this.onOutcome(terminal ? 'terminal_failure' : 'transient_failure');
    this.logger.warn(
      { connectionId: connection.id, code: error.code, oauthError: error.oauthError, status: error.status },
      'token refresh failed',
    );
    await this.transitions.refreshFailed(connection, auth, { terminal, message: error.message });
  }
}
