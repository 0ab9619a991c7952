import { AuthFlowError } from '../errors';
import type { ClientCredentials, Credentials, OAuth2Credentials, ServiceDefinition } from '../types';
import { requestClientCredentialsToken, usesClientCredentials } from './client-credentials';
import { InMemoryLock, type Lock } from './lock';
import { needsRefresh, type FreshnessOptions } from './needs-refresh';
import { refreshOAuth2, type RefreshOptions } from './refresh-oauth2';

export interface RefreshCoordinatorOptions extends FreshnessOptions {
  /** Shared across processes in production (Redis); in-memory by default. */
  lock?: Lock;
  /** How long one refresh may hold the lock. Default 30 s. */
  lockTtlMs?: number;
  /** Passed to refreshOAuth2. */
  refreshOptions?: RefreshOptions;
  now?: () => number;
}

export interface EnsureFreshInput {
  service: ServiceDefinition;
  client: ClientCredentials;
  /**
   * Re-reads the stored credentials. Called after the lock is taken, so a caller that waited sees
   * what the previous holder saved and does not refresh again (which, with rotating refresh tokens,
   * would spend an already spent token and get the whole grant revoked).
   */
  reload: () => Promise<Credentials>;
  /**
   * Persists refreshed credentials, access and refresh token together, before the lock is released.
   * `previous` is what reload returned, for compare-and-swap stores.
   */
  save: (next: OAuth2Credentials, previous: OAuth2Credentials) => Promise<void>;
  /**
   * The access token an API just rejected with 401. Set it to refresh even though the expiry says
   * the token is fine; the refresh is skipped if the stored token already differs (someone refreshed).
   */
  rejectedAccessToken?: string;
  /** Refresh a token that becomes due within this long (a background refresh ahead of the calls). */
  dueWithinMs?: number;
  /**
   * Runs under the lock once a token request is decided, right before it is sent (a host marks the
   * authorization as refreshing there). Not called when the stored token turned out fresh.
   */
  begin?: (current: OAuth2Credentials) => Promise<void>;
}

export interface EnsureFreshResult {
  credentials: Credentials;
  /** True when this call (or the one it joined) ran the refresh grant. */
  refreshed: boolean;
}

/**
 * Single-flight refresh per authorization key. Concurrent callers in this process share one promise;
 * callers in other processes serialise on the Lock and re-read before deciding. Either way one
 * token-endpoint request serves everyone.
 */
export class RefreshCoordinator {
  private readonly inFlight = new Map<string, Promise<EnsureFreshResult>>();
  private readonly lock: Lock;
  private readonly lockTtlMs: number;

  constructor(private readonly options: RefreshCoordinatorOptions = {}) {
    this.lock = options.lock ?? new InMemoryLock();
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
  }

  /** Returns usable credentials for the key, refreshing them first when needed. */
  ensureFresh(key: string, input: EnsureFreshInput): Promise<EnsureFreshResult> {
    const joined = this.inFlight.get(key);
    if (joined) return joined;
    const run = this.lock
      .withLock(`refresh:${key}`, this.lockTtlMs, () => this.refreshIfStillNeeded(input))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  private tokenOptions(): RefreshOptions {
    return { now: this.options.now, ...this.options.refreshOptions };
  }

  private async refreshIfStillNeeded(input: EnsureFreshInput): Promise<EnsureFreshResult> {
    const current = await input.reload();
    if (current.type !== 'OAUTH2') return { credentials: current, refreshed: false };
    const now = (this.options.now ?? Date.now)();
    const wanted =
      input.rejectedAccessToken !== undefined
        ? current.accessToken === input.rejectedAccessToken
        : needsRefresh(current, now + (input.dueWithinMs ?? 0), this.options);
    if (!wanted) return { credentials: current, refreshed: false };
    // Client credentials (RFC 6749 section 4.4.3): no refresh token; the client asks for a new token itself.
    const renew = usesClientCredentials(input.service)
      ? () => requestClientCredentialsToken(input.service, input.client, this.tokenOptions())
      : undefined;
    if (!renew && !current.refreshToken) {
      throw new AuthFlowError(
        'NO_REFRESH_TOKEN',
        `${input.service.displayName}: the access token expired and there is no refresh token; reconnect`,
        { terminal: true },
      );
    }
    await input.begin?.(current);
    const next = renew
      ? await renew()
      : await refreshOAuth2(input.service, input.client, current, this.tokenOptions());
    await input.save(next, current);
    return { credentials: next, refreshed: true };
  }
}
