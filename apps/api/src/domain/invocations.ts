import { authenticate, type Credentials, isExpired, type OutgoingRequest } from '@connections/auth-flows';
import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import { request as undiciRequest, type Dispatcher } from 'undici';
import type { Config } from '../config';
import type { AuthorizationRow, ConnectionRow } from '../db/entities';
import { AppError } from '../errors';
import type { Metrics } from '../metrics';
import { checkUrlTarget } from '../net/guard';
import { principalFor } from './access';
import type { AuditService } from './audit';
import type { AuthorizationStore } from './authorization-store';
import type { ConnectionsService } from './connections';
import { outcomeOf, translateInvocationError } from './invocation-errors';
import { upstreamReply, type UpstreamReply } from './invocation-reply';
import {
  type InvocationInput,
  parseInvocation,
  type PreparedRequest,
  prepareRequest,
} from './invocation-request';
import type { Refresher } from './refresher';
import type { ServiceRegistry } from './service-registry';
import type { Viewer } from './viewer';

export type { InvocationInput } from './invocation-request';
export type { UpstreamReply } from './invocation-reply';

type Protocol = ReturnType<ServiceRegistry['protocolFor']>;

/**
 * Calls a third-party API through a connection: the principal's credentials applied by auth-flows, refreshed
 * before expiry and once after a 401, only to the service's API hosts, never to a private address (unless
 * allowed), within the time limit. The caller never sees the credentials.
 */
export class InvocationsService {
  constructor(
    private readonly store: AuthorizationStore,
    private readonly registry: ServiceRegistry,
    private readonly connections: ConnectionsService,
    private readonly refresher: Refresher,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
    private readonly dispatcher: Dispatcher,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly publicUrl: () => string,
  ) {}

  async send(viewer: Viewer, input: InvocationInput): Promise<UpstreamReply> {
    const connection = await this.connections.findVisible(viewer, { linkName: input.linkName });
    const startedAt = performance.now();
    const method = input.method.toUpperCase();
    try {
      // Parsed once, before the credentials are looked up: a retry after a 401 sends the same request.
      const parsed = parseInvocation(input);
      const usable = await this.store.usable(viewer, connection);
      if (!usable.authorization) throw this.needsAuthorization(connection, usable.status);
      const protocol = this.registry.protocolFor(connection);
      const prepared = prepareRequest(parsed, protocol.definition.apiBaseUrls[0]);
      const credentials = await this.refreshedAhead(connection, usable, protocol);
      const response = await this.sendWithRetry(
        connection,
        usable.authorization,
        credentials,
        protocol,
        prepared,
      );
      return this.reply(viewer, connection, prepared.request, response, startedAt);
    } catch (error) {
      // The outcome is the code the caller gets: a refused DNS answer or a timeout is HOST_NOT_ALLOWED or
      // UPSTREAM_TIMEOUT in the metrics and the audit log too, not a generic ERROR.
      const translated = this.translate(error);
      const outcome = outcomeOf(translated);
      this.metrics.invocations.inc({ connection: connection.linkName, outcome });
      void this.record(viewer, connection, method, input.url, outcome, startedAt).catch(() => {});
      throw translated;
    }
  }

  /** The reply step: latency observed now, the outcome recorded once the caller is done with the body. */
  private reply(
    viewer: Viewer,
    connection: ConnectionRow,
    request: OutgoingRequest,
    response: Dispatcher.ResponseData,
    startedAt: number,
  ): UpstreamReply {
    this.metrics.upstreamLatency.observe(
      { connection: connection.linkName },
      (performance.now() - startedAt) / 1000,
    );
    const status = String(response.statusCode);
    const finish = (outcome: string) => {
      this.metrics.invocations.inc({ connection: connection.linkName, outcome });
      void this.record(viewer, connection, request.method, request.url, status, startedAt, outcome).catch(
        (e) => this.logger.error({ err: e }, 'could not record an invocation'),
      );
    };
    return upstreamReply(response, startedAt, finish, (error) => this.translate(error));
  }

  private needsAuthorization(connection: ConnectionRow, status?: string): AppError {
    const connectUrl = `${this.publicUrl()}/connections/${connection.id}`;
    const why = !status
      ? 'is not authorized for this user yet'
      : status === 'NEEDS_REAUTH'
        ? 'must be reconnected'
        : `is ${status}`;
    return new AppError(
      'NEEDS_AUTHORIZATION',
      `Connection ${connection.linkName} ${why}. Connect it at ${connectUrl}.`,
      { linkName: connection.linkName, connectUrl, status: status ?? 'NOT_CONNECTED' },
    );
  }

  /** The stored credentials, refreshed first when they are about to expire or the last refresh failed. */
  private async refreshedAhead(
    connection: ConnectionRow,
    { authorization, credentials }: { authorization: AuthorizationRow; credentials: Credentials },
    { definition, client }: Protocol,
  ): Promise<Credentials> {
    if (!this.refresher.wanted(credentials) && authorization.status !== 'REFRESH_FAILED') return credentials;
    return this.refresher.refresh(connection, authorization, definition, client).catch((e) => {
      // Refreshing ahead of expiry failed for a passing reason (recorded, the next call tries again), yet
      // the token in hand still works: use it rather than fail a call that would succeed.
      if (e instanceof AppError && e.code === 'REFRESH_FAILED' && !isExpired(credentials)) return credentials;
      throw e;
    });
  }

  private async sendWithRetry(
    connection: ConnectionRow,
    authorization: AuthorizationRow,
    credentials: Credentials,
    protocol: Protocol,
    prepared: PreparedRequest,
  ): Promise<Dispatcher.ResponseData> {
    const response = await this.dispatch(prepared, credentials, protocol);
    // One refresh and one retry after a 401, when a refresh can help and the body can be sent again.
    if (
      response.statusCode !== 401 ||
      credentials.type !== 'OAUTH2' ||
      !credentials.refreshToken ||
      prepared.stream
    )
      return response;
    await response.body.dump().catch(() => {});
    const { definition, client } = protocol;
    const refreshed = await this.refresher.refresh(
      connection,
      authorization,
      definition,
      client,
      credentials.accessToken,
    );
    return this.dispatch(prepared, refreshed, protocol);
  }

  /** One attempt: credentials applied to the prepared request, its target checked, and sent. */
  private async dispatch(
    prepared: PreparedRequest,
    credentials: Credentials,
    { definition, client }: Protocol,
  ): Promise<Dispatcher.ResponseData> {
    const signed = authenticate(prepared.request, credentials, definition, client ?? undefined);
    const url = new URL(signed.url);
    checkUrlTarget(url, this.config.invocation.allowPrivateNetworks);
    const sent = prepared.stream ?? prepared.bytes ?? signed.body;
    return undiciRequest(url, {
      method: prepared.request.method as Dispatcher.HttpMethod,
      headers: signed.headers,
      body: sent as string | Buffer | Readable | undefined,
      dispatcher: this.dispatcher,
      signal: AbortSignal.timeout(this.config.invocation.timeoutMs),
      headersTimeout: this.config.invocation.timeoutMs,
      bodyTimeout: this.config.invocation.timeoutMs,
    });
  }

  private translate(error: unknown): unknown {
    return translateInvocationError(error, this.config.invocation.timeoutMs);
  }

  /** Who called what, how it went, how long it took. Never a header value, query string or body. */
  private async record(
    viewer: Viewer,
    connection: ConnectionRow,
    method: string,
    url: string,
    status: string,
    startedAt: number,
    outcome?: string,
  ) {
    let host = '';
    let path = '';
    try {
      const u = new URL(url, 'http://invalid');
      host = u.host;
      path = u.pathname.slice(0, 200);
    } catch {
      /* a URL that did not parse is recorded without host and path */
    }
    await this.audit.record(viewer, {
      action: 'connection.invoked',
      targetType: 'connection',
      targetId: connection.id,
      connectionId: connection.id,
      message: `${method} ${host}${path} -> ${status}`,
      metadata: {
        principalId: principalFor(viewer, connection),
        method,
        host,
        path,
        status,
        outcome: outcome ?? status,
        durationMs: Math.round(performance.now() - startedAt),
      },
    });
  }
}
