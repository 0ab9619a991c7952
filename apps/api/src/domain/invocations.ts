import { authenticate, type Credentials, isExpired, usesClientCredentials } from '@connections/auth-flows';
import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Config } from '../config';
import type { AuthorizationRow, ConnectionRow } from '../db/entities';
import { AppError } from '../errors';
import type { Metrics } from '../metrics';
import { checkUrlTarget } from '../net/guard';
import { principalFor } from './access';
import type { AuditService } from './audit';
import type { AuthorizationStore } from './authorization-store';
import type { ConnectionsService } from './connections';
import { Deadline } from './deadline';
import type { Invalidator } from './invalidation';
import { outcomeOf, translateInvocationError } from './invocation-errors';
import { attempt, type Exchange, withinHosts } from './invocation-attempts';
import { type CallOptions, callOptions } from './invocation-options';
import { InvocationPlans, type Protocol } from './invocation-plans';
import { upstreamReply, type UpstreamReply } from './invocation-reply';
import {
  type InvocationInput,
  parseInvocation,
  type PreparedRequest,
  prepareRequest,
} from './invocation-request';
import { connectUrlOf, needsAuthorization } from './needs-authorization';
import type { Refresher } from './refresher';
import type { ServiceRegistry } from './service-registry';
import type { Viewer } from './viewer';

export type { InvocationInput } from './invocation-request';
export type { UpstreamReply } from './invocation-reply';

// Without a cache (unit tests): every call reads, as before the plan cache existed.
const NOBODY_ANNOUNCES: Invalidator = {
  invalidate: () => {},
  onInvalidate: () => () => {},
  live: () => true,
};

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
    /** The plan cache's eviction channel and lifetime (invocation-plans.ts); absent: no cache. */
    cache?: { invalidator: Invalidator; ttlMs: number },
  ) {
    this.plans = new InvocationPlans(
      {
        findVisible: (v, linkName) => this.connections.findVisible(v, { linkName }),
        usable: (v, connection) => this.store.usable(v, connection),
        protocolFor: (connection) => this.registry.protocolFor(connection),
      },
      cache?.invalidator ?? NOBODY_ANNOUNCES,
      cache?.ttlMs ?? 0,
    );
  }

  private readonly plans: InvocationPlans;

  async send(viewer: Viewer, input: InvocationInput): Promise<UpstreamReply> {
    const planned = await this.plans.connection(viewer, input.linkName);
    const connection = planned.row;
    const startedAt = performance.now();
    const method = input.method.toUpperCase();
    let options: CallOptions | undefined;
    try {
      // Parsed once, before the credentials are looked up: a retry after a 401 sends the same request.
      const parsed = parseInvocation(input);
      options = callOptions(input, parsed.method, this.config.invocation.timeoutMs);
      const usable = await this.plans.usable(viewer, connection);
      if (!usable.authorization) throw this.needsAuthorization(connection, usable.status);
      this.refresher.used(usable.authorization);
      const protocol = planned.protocol();
      const prepared = prepareRequest(parsed, protocol.definition.apiBaseUrls[0]);
      const credentials = await this.refreshedAhead(connection, usable, protocol);
      const authorization = usable.authorization;
      if (!options) {
        const response = await this.sendWithRetry(connection, authorization, credentials, protocol, prepared);
        const url = prepared.request.url;
        return this.reply(viewer, connection, method, { response, url, attempts: 1 }, startedAt);
      }
      const exchange = await attempt(
        prepared,
        options,
        {
          send: (p, signed, ms) =>
            this.sendWithRetry(connection, authorization, signed ? credentials : null, protocol, p, ms),
          retried: (n, url, status) =>
            this.record(viewer, connection, method, url, String(status), startedAt, 'RETRIED', n),
        },
        startedAt,
      );
      return this.reply(viewer, connection, method, exchange, startedAt, options.timeoutMs);
    } catch (error) {
      // The outcome is the code the caller gets: a refused DNS answer or a timeout is HOST_NOT_ALLOWED or
      // UPSTREAM_TIMEOUT in the metrics and the audit log too, not a generic ERROR.
      const translated = this.translate(error, options?.timeoutMs);
      const outcome = outcomeOf(translated);
      this.metrics.invocations.inc({ connection: connection.linkName, outcome });
      this.record(viewer, connection, method, input.url, outcome, startedAt);
      throw translated;
    }
  }

  /** The reply step: latency observed now, the outcome recorded once the caller is done with the body. */
  private reply(
    viewer: Viewer,
    connection: ConnectionRow,
    method: string,
    { response, url, attempts }: Exchange,
    startedAt: number,
    timeoutMs?: number,
  ): UpstreamReply {
    this.metrics.upstreamLatency.observe(
      { connection: connection.linkName },
      (performance.now() - startedAt) / 1000,
    );
    const status = String(response.statusCode);
    const finish = (outcome: string) => {
      this.metrics.invocations.inc({ connection: connection.linkName, outcome });
      this.record(
        viewer,
        connection,
        method,
        url,
        status,
        startedAt,
        outcome,
        attempts > 1 ? attempts : undefined,
      );
    };
    const translate = (error: unknown) => this.translate(error, timeoutMs);
    return upstreamReply({ response, url, attempts }, startedAt, finish, translate);
  }

  private needsAuthorization(connection: ConnectionRow, status?: string): AppError {
    const why = !status
      ? 'is not authorized for this user yet'
      : status === 'NEEDS_REAUTH'
        ? 'must be reconnected'
        : `is ${status}`;
    const reason = `Connection ${connection.linkName} ${why}.`;
    return needsAuthorization(connectUrlOf(this.publicUrl), connection, status ?? 'NOT_CONNECTED', reason);
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
    credentials: Credentials | null,
    protocol: Protocol,
    prepared: PreparedRequest,
    timeoutMs = this.config.invocation.timeoutMs,
  ): Promise<Dispatcher.ResponseData> {
    const response = await this.dispatch(prepared, credentials, protocol, timeoutMs);
    // One refresh and one retry after a 401, when a refresh can help and the body can be sent again.
    if (
      response.statusCode !== 401 ||
      credentials?.type !== 'OAUTH2' ||
      // A client-credentials token is renewed without a refresh token (RFC 6749 section 4.4.3).
      (!credentials.refreshToken && !usesClientCredentials(protocol.definition)) ||
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
    return this.dispatch(prepared, refreshed, protocol, timeoutMs);
  }

  /**
   * One attempt: credentials applied to the prepared request (none: a redirect to another origin, only
   * checked against the service's hosts), its target checked, and sent.
   */
  private async dispatch(
    prepared: PreparedRequest,
    credentials: Credentials | null,
    { definition, client }: Protocol,
    timeoutMs: number,
  ): Promise<Dispatcher.ResponseData> {
    const signed = credentials
      ? authenticate(prepared.request, credentials, definition, client ?? undefined)
      : withinHosts(prepared.request, definition);
    const url = new URL(signed.url);
    // The sandbox is this server: its own origin passes even when PUBLIC_URL is an IP literal (127.0.0.1).
    const sandbox = this.config.sandbox ? this.publicUrl() : undefined;
    checkUrlTarget(url, this.config.invocation.allowPrivateNetworks, sandbox);
    const sent = prepared.stream ?? prepared.bytes ?? signed.body;
    // The time limit covers the whole call, body included: cleared once the body is done with.
    const deadline = new Deadline(timeoutMs);
    try {
      // The dispatcher's own request(): undici's top-level request(url) re-derives the origin and path from
      // the URL and copies the options, a few µs of every call (issue 15).
      const response = await this.dispatcher.request({
        origin: url.origin,
        path: url.search ? `${url.pathname}${url.search}` : url.pathname,
        method: prepared.request.method as Dispatcher.HttpMethod,
        headers: signed.headers,
        body: sent as string | Buffer | Readable | undefined,
        signal: deadline,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      response.body.once('close', () => deadline.clear());
      return response;
    } catch (error) {
      deadline.clear();
      throw error;
    }
  }

  private translate(error: unknown, timeoutMs = this.config.invocation.timeoutMs): unknown {
    return translateInvocationError(error, timeoutMs);
  }

  /**
   * Who called what, how it went, how long it took. Never a header value, query string or body. Written
   * behind (AuditService.enqueue): the call does not wait for the INSERT.
   */
  private record(
    viewer: Viewer,
    connection: ConnectionRow,
    method: string,
    url: string,
    status: string,
    startedAt: number,
    outcome?: string,
    attempt?: number,
  ) {
    let host = '';
    let path = '';
    try {
      // A call refused before its URL was resolved against the base URL still has the caller's relative
      // path: record that path as given, never a made-up host ("GET invalid/contacts").
      // An absolute URL is parsed without a base: a base is parsed too, which doubled the cost.
      if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) path = url.split(/[?#]/)[0]!.slice(0, 200);
      else {
        const u = new URL(url);
        host = u.host;
        path = u.pathname.slice(0, 200);
      }
    } catch {
      /* a URL that did not parse is recorded without host and path */
    }
    this.audit.enqueue(viewer, {
      action: 'connection.invoked',
      targetType: 'connection',
      targetId: connection.id,
      connectionId: connection.id,
      extensionId: connection.extensionId,
      message: `${method} ${host}${path} -> ${status}`,
      metadata: {
        principalId: principalFor(viewer, connection),
        method,
        host,
        path,
        status,
        outcome: outcome ?? status,
        durationMs: Math.round(performance.now() - startedAt),
        // Which attempt this row records, when the call was retried (each attempt has its row).
        ...(attempt !== undefined && { attempt }),
      },
    });
  }
}
