import {
  type Credentials,
  type RefreshOptions,
  revokeCredentials,
  testCredentials,
} from '@connections/auth-flows';
import { type ConnectResult, OAuth2GrantType } from '@connections/schema';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { DataSource } from 'typeorm';
import type { AuthorizationRow, ConnectionRow } from '../db/entities';
import { AppError, badInput, forbidden } from '../errors';
import { canManage, principalFor } from './access';
import type { AuthorizationEvents, EventTx } from './authorization-events';
import type { AuthorizationStore } from './authorization-store';
import type { AuthorizationTransitions } from './authorization-transitions';
import type { AttemptsService } from './attempts';
import { clientCredentialsToken } from './client-credentials-connect';
import { type ConnectionsService, type CreateConnectionInput } from './connections';
import { serviceRef, type ServiceRegistry } from './service-registry';
import { holdForNewAttempt } from './unfinished-connections';
import type { Viewer } from './viewer';

export interface CredentialsInput {
  username?: string | null;
  password?: string | null;
  apiKey?: string | null;
}

export type RevokeOutcome = 'REVOKED_UPSTREAM' | 'NOTHING_TO_CALL' | 'UPSTREAM_FAILED';

/**
 * Starting, replacing and revoking authorizations. OAuth goes through an attempt (AttemptsService) that the
 * browser completes; BASIC and API_KEY credentials arrive in the mutation and are stored at once, and so is
 * the token a client-credentials service obtains itself (client-credentials-connect.ts).
 */
export class AuthorizationsService {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: ServiceRegistry,
    private readonly connections: ConnectionsService,
    private readonly attempts: AttemptsService,
    private readonly store: AuthorizationStore,
    private readonly transitions: AuthorizationTransitions,
    private readonly events: AuthorizationEvents,
    private readonly logger: Logger,
    /** How test requests and revocations reach providers: the deployment's guarded network. */
    private readonly network?: {
      dispatcher: Dispatcher;
      check(url: URL): void;
      fetch?: RefreshOptions['fetch'];
    },
  ) {}

  /** Whose authorization the viewer (re)authorizes or revokes, or FORBIDDEN. */
  private principalToAuthorize(viewer: Viewer, connection: ConnectionRow): string {
    if (!connection.useLoginUserCredentials && !canManage(viewer, connection))
      throw forbidden(
        "Only the owner of this connection or an admin can authorize it: it uses the owner's credentials.",
      );
    return principalFor(viewer, connection);
  }

  async createAndConnect(
    viewer: Viewer,
    input: CreateConnectionInput & { credentials?: CredentialsInput | null },
  ): Promise<ConnectResult> {
    // Credentials are checked before anything is created, so a rejected key leaves no half-made connection.
    const service = await this.registry.find(viewer.workspaceId, serviceRef(input.service));
    let credentials: Credentials | null = null;
    if (service.authType === 'BASIC' || service.authType === 'API_KEY') {
      credentials = credentialsFrom(service.authType, input.credentials);
    } else if (input.credentials)
      throw badInput(
        'credentials',
        `${service.name} uses ${service.authType}: it is authorized in the browser, not with credentials`,
      );
    // Test request or client credentials grant before the transaction: a slow provider must not hold a lock.
    const protocol = () =>
      this.registry.protocolForReference(viewer.workspaceId, input.service, input.subdomain);
    if (credentials) await this.verify(await protocol(), credentials);
    else if (service.grantType === OAuth2GrantType.CLIENT_CREDENTIALS)
      credentials = await clientCredentialsToken(
        await protocol(),
        !!input.useLoginUserCredentials,
        this.network?.fetch,
      );
    let started: { attemptId: string; authorizeUrl: string | null } | undefined;
    let tx: EventTx | undefined;
    // Not finished until the first authorization succeeds (BASIC / API_KEY: in this transaction; OAuth: the
    // callback's), so a denied or abandoned flow leaves nothing in anyone else's list.
    const view = await this.connections.create(viewer, { ...input, unfinished: true }, async (row, m) => {
      started = await this.beginInTransaction(viewer, row, credentials, (tx = this.events.begin(m)));
      await this.events.seal(tx);
    });
    this.events.publish(tx!);
    return {
      connection: view,
      authorization: view.authorization,
      authorizeUrl: started!.authorizeUrl,
      attemptId: started!.attemptId,
    };
  }

  async connect(
    viewer: Viewer,
    connectionId: string,
    input?: CredentialsInput | null,
  ): Promise<ConnectResult> {
    const row = await this.connections.findVisible(viewer, { id: connectionId });
    const authType = this.registry.view(row.service).authType;
    let credentials: Credentials | null = null;
    if (authType === 'BASIC' || authType === 'API_KEY') {
      credentials = credentialsFrom(authType, input);
      await this.verify(this.registry.protocolFor(row), credentials);
    } else if (input)
      throw badInput('credentials', `this connection is authorized in the browser, not with credentials`);
    else
      credentials = await clientCredentialsToken(
        this.registry.protocolFor(row),
        row.useLoginUserCredentials,
        this.network?.fetch,
      );
    const started = await this.events.transaction(this.ds, (tx) =>
      this.beginInTransaction(viewer, row, credentials, tx),
    );
    const view = await this.connections.get(viewer, { id: row.id });
    return {
      connection: view,
      authorization: view.authorization,
      authorizeUrl: started.authorizeUrl,
      attemptId: started.attemptId,
    };
  }

  /** Runs the service's cheap test request, when it has one; a rejection is a clear error and stores nothing. */
  private async verify(
    { definition, client }: ReturnType<ServiceRegistry['protocolFor']>,
    credentials: Credentials,
  ): Promise<void> {
    if (!definition.testRequest) return;
    const result = await testCredentials(credentials, definition, client ?? undefined, {
      dispatcher: this.network?.dispatcher,
    });
    if (!result.ok && result.error.transient)
      // Unreachable, timed out, 5xx or 429: that says nothing about the credentials, so do not blame them.
      throw new AppError(
        'BAD_USER_INPUT',
        `These credentials could not be checked: ${result.error.message}. Nothing was saved; try again later.`,
        { field: 'credentials', upstreamStatus: result.status ?? null, retryable: true },
      );
    if (!result.ok)
      throw new AppError(
        'BAD_USER_INPUT',
        `${definition.displayName} did not accept these credentials${result.status ? ` (HTTP ${result.status})` : ''}: ${result.error.message}`,
        { field: 'credentials', upstreamStatus: result.status ?? null, retryable: false },
      );
  }

  /**
   * In the caller's transaction: the principal's authorization (PENDING when new), and either the credentials
   * (BASIC / API_KEY: CONNECTED at once) or an attempt for the browser flow (OAuth). Events are published once
   * that transaction has committed.
   */
  async beginInTransaction(
    viewer: Viewer,
    row: ConnectionRow,
    credentials: Credentials | null,
    tx: EventTx,
  ): Promise<{ attemptId: string; authorizeUrl: string | null }> {
    const principalId = this.principalToAuthorize(viewer, row);
    // Resuming a not-finished connection: hold it so that the sweep cannot remove it under the new attempt.
    await holdForNewAttempt(tx.manager, row);
    const principal = await this.store.person(principalId, viewer, tx.manager);
    const auth = await this.transitions.begin(tx, row, principalId);
    const attempt = await this.attempts.create(viewer, row, auth, tx.manager);
    if (!credentials) {
      if (!this.registry.protocolFor(row).client)
        throw badInput(
          'service',
          `Set the OAuth client (client id and secret) of ${this.registry.view(row.service).name} first`,
        );
      return { attemptId: attempt.id, authorizeUrl: attempt.authorizeUrl };
    }
    await this.attempts.finish(attempt.id, 'CONNECTED', tx.manager);
    await this.transitions.connected(tx, {
      auth,
      connection: row,
      principal,
      actorId: viewer.userId,
      attemptId: attempt.id,
      credentials,
    });
    return { attemptId: attempt.id, authorizeUrl: null };
  }

  /**
   * Revokes the viewer's authorization (the owner's for owner-credential connections): the provider's
   * revoke endpoint first when there is one, then the stored credentials are removed whatever it said.
   */
  async revoke(viewer: Viewer, connectionId: string): Promise<{ upstream: RevokeOutcome }> {
    const row = await this.connections.findVisible(viewer, { id: connectionId });
    const auth = await this.store.find(row.id, this.principalToAuthorize(viewer, row));
    if (!auth || auth.status === 'REVOKED')
      throw new AppError('NOT_FOUND', 'There is no authorization to revoke.');
    const upstream = await this.revokeUpstream(row, auth);
    await this.transitions.revoked(viewer, row, auth, upstream !== 'UPSTREAM_FAILED');
    return { upstream };
  }

  /**
   * Deleting a connection revokes every authorization at the provider first (best effort). That revokes other
   * users' grants too, so while it holds credentials of anyone but its owner (a login-user connection that
   * others authorized) only an admin may delete it; the owner may still delete one that only they used.
   */
  async deleteConnection(viewer: Viewer, connectionId: string): Promise<string> {
    const row = await this.connections.findVisible(viewer, { id: connectionId });
    this.connections.assertCanManage(viewer, row);
    if (viewer.role !== 'ADMIN') {
      const others = (await this.store.allOf(row.id)).filter(
        (a) => a.principalId !== row.ownerId && a.credentialsEncrypted,
      ).length;
      if (others > 0)
        throw forbidden(
          `${row.linkName} holds the authorizations of ${others} other user(s): deleting it would revoke their grants at the provider, so only an admin can delete it.`,
        );
    }
    const revoked = await this.revokeAllUpstream(row);
    await this.events.transaction(this.ds, (tx) =>
      this.connections.deleteInTransaction(viewer, row, tx, revoked.authorizations),
    );
    return row.id;
  }

  /**
   * Revokes every authorization of a connection at the provider, best effort, before it is deleted. Runs
   * outside any transaction: a slow provider must not hold one open.
   */
  async revokeAllUpstream(row: ConnectionRow): Promise<{ authorizations: number; revokedUpstream: number }> {
    const auths = await this.store.allOf(row.id);
    let revokedUpstream = 0;
    for (const auth of auths)
      if ((await this.revokeUpstream(row, auth)) === 'REVOKED_UPSTREAM') revokedUpstream++;
    return { authorizations: auths.length, revokedUpstream };
  }

  async revokeUpstream(row: ConnectionRow, auth: AuthorizationRow): Promise<RevokeOutcome> {
    let credentials: Credentials | null;
    try {
      credentials = this.store.credentialsOf(auth);
    } catch (error) {
      this.logger.error(
        { err: error, authorizationId: auth.id },
        'stored credentials do not decrypt; removing them without an upstream revoke',
      );
      return 'UPSTREAM_FAILED';
    }
    if (!credentials) return 'NOTHING_TO_CALL';
    const { definition, client } = this.registry.protocolFor(row);
    if (definition.revokeUrl) {
      try {
        this.network?.check(new URL(definition.revokeUrl));
      } catch (error) {
        this.logger.warn(
          { connectionId: row.id, err: error },
          'revoke endpoint refused by the network policy',
        );
        return 'UPSTREAM_FAILED';
      }
    }
    const result = await revokeCredentials(definition, client, credentials, {
      dispatcher: this.network?.dispatcher,
    });
    if (result.revoked) return 'REVOKED_UPSTREAM';
    if (result.skipped) return 'NOTHING_TO_CALL';
    this.logger.warn(
      { connectionId: row.id, code: result.error.code, status: result.error.status },
      'upstream revoke failed',
    );
    return 'UPSTREAM_FAILED';
  }
}

/** BASIC wants a username and a password, API_KEY a key; anything else is refused naming the field. */
export function credentialsFrom(
  authType: 'BASIC' | 'API_KEY',
  input: CredentialsInput | null | undefined,
): Credentials {
  if (authType === 'BASIC') {
    if (!input?.username) throw badInput('credentials.username', 'is required for BASIC services');
    if (input.username.includes(':'))
      throw badInput('credentials.username', 'must not contain ":" (Basic authentication)');
    if (input.password == null) throw badInput('credentials.password', 'is required for BASIC services');
    if (input.apiKey) throw badInput('credentials.apiKey', 'is only for API_KEY services');
    return { type: 'BASIC', username: input.username, password: input.password };
  }
  if (!input?.apiKey) throw badInput('credentials.apiKey', 'is required for API_KEY services');
  if (input.username || input.password) throw badInput('credentials.username', 'is only for BASIC services');
  return { type: 'API_KEY', apiKey: input.apiKey };
}
