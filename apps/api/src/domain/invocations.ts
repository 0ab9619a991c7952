import {
  AuthFlowError,
  authenticate,
  type Credentials,
  isExpired,
  type OutgoingRequest,
  percentEncode,
} from '@connections/auth-flows';
import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { request as undiciRequest, type Dispatcher } from 'undici';
import type { Config } from '../config';
import type { SecretBox } from '../crypto/secret-box';
import { AuthorizationRow, type ConnectionRow } from '../db/entities';
import { AppError } from '../errors';
import type { Metrics } from '../metrics';
import { AddressNotAllowedError, checkUrlTarget } from '../net/guard';
import type { AuditService } from './audit';
import type { ConnectionsService } from './connections';
import { openCredentials } from './credentials-store';
import type { Refresher } from './refresher';
import type { ServiceRegistry } from './service-registry';
import type { Viewer } from './viewer';

export interface InvocationInput {
  linkName: string;
  /** Absolute, or relative to the service's first API base URL. */
  url: string;
  method: string;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
  /** A raw body (sent with the caller's content type), or a form (sent x-www-form-urlencoded). */
  body?: string | Buffer;
  form?: Record<string, string | string[]>;
  /** Proxy only: a body to stream through unread (it cannot be signed, so never for forms). */
  stream?: Readable;
}

export interface UpstreamReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Dispatcher.ResponseData['body'];
  startedAt: number;
  /** Call once the body has been consumed (or abandoned): records the audit event and metrics. */
  done(outcome?: string): void;
  /**
   * Call when reading the body failed: records the outcome by the error's code and returns the error to
   * throw (a timeout or network error while the body streams becomes UPSTREAM_TIMEOUT/UNAVAILABLE too).
   */
  fail(error: unknown): unknown;
}

// Hop-by-hop headers (RFC 9110 7.6.1) and what would leak the caller's own credentials upstream.
const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // A 100-continue handshake belongs to the caller's connection (we answered it); undici refuses the header.
  'expect',
  'content-length',
  'authorization',
  'cookie',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
]);
const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
]);
const USABLE: AuthorizationRow['status'][] = ['CONNECTED', 'REFRESHING', 'REFRESH_FAILED'];
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** The header names a Connection header lists are hop-by-hop as well (RFC 9110 7.6.1). */
function connectionOptions(raw: Record<string, string | string[] | undefined>): Set<string> {
  const named = new Set<string>();
  for (const [k, v] of Object.entries(raw))
    if (k.toLowerCase() === 'connection' && v !== undefined)
      for (const item of ([] as string[]).concat(v))
        for (const name of item.split(',')) named.add(name.trim().toLowerCase());
  return named;
}

export function responseHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = connectionOptions(raw);
  for (const [k, v] of Object.entries(raw))
    if (v !== undefined && !DROP_RESPONSE.has(k.toLowerCase()) && !named.has(k.toLowerCase())) out[k] = v;
  return out;
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A JSON map from the caller as name to string(s): anything else is the caller's mistake, named. */
function stringMap(field: string, map: Record<string, unknown> | undefined, lists: boolean) {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(map ?? {})) {
    const items = lists && Array.isArray(v) ? v : [v];
    if (!items.every(isScalar))
      throw new AppError(
        'BAD_USER_INPUT',
        `${field}.${k.slice(0, 100)}: must be a string${lists ? ' or a list of strings' : ''}`,
        { field },
      );
    for (const item of items) out.push([k, String(item)]);
  }
  return out;
}

/**
 * Calls a third-party API through a connection: the principal's credentials applied by auth-flows, refreshed
 * before expiry and once after a 401, only to the service's API hosts, never to a private address (unless
 * allowed), within the time limit. The caller never sees the credentials.
 */
export class InvocationsService {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
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
    const fail = (error: unknown, outcome: string): never => {
      this.metrics.invocations.inc({ connection: connection.linkName, outcome });
      void this.record(viewer, connection, method, input.url, outcome, startedAt).catch(() => {});
      throw error;
    };
    try {
      if (!METHODS.includes(method))
        throw new AppError('BAD_USER_INPUT', `method: must be one of ${METHODS.join(', ')}`, {
          field: 'method',
        });
      if (input.body !== undefined && input.form !== undefined)
        throw new AppError('BAD_USER_INPUT', 'body and form: send one or the other', { field: 'form' });
      stringMap('headers', input.headers, false);
      stringMap('query', input.query, true);
      stringMap('form', input.form, true);
      const principalId = connection.useLoginUserCredentials ? viewer.userId : connection.ownerId;
      const auth = await this.ds
        .getRepository(AuthorizationRow)
        .findOneBy({ connectionId: connection.id, principalId });
      let credentials = auth && USABLE.includes(auth.status) ? openCredentials(this.box, auth) : null;
      if (!auth || !credentials) throw this.needsAuthorization(connection, auth?.status);
      const { definition, client } = this.registry.protocolFor(connection);
      const target = this.targetUrl(definition.apiBaseUrls[0], input);
      if (this.refresher.wanted(credentials) || auth.status === 'REFRESH_FAILED') {
        const current = credentials;
        credentials = await this.refresher.refresh(connection, auth, definition, client).catch((e) => {
          // Refreshing ahead of expiry failed for a passing reason (recorded, the next call tries again), yet
          // the token in hand still works: use it rather than fail a call that would succeed.
          if (e instanceof AppError && e.code === 'REFRESH_FAILED' && !isExpired(current)) return current;
          throw e;
        });
      }
      let reply = await this.dispatch(credentials, definition, client, method, target, input);
      // One refresh and one retry after a 401, when a refresh can help and the body can be sent again.
      if (
        reply.statusCode === 401 &&
        credentials.type === 'OAUTH2' &&
        credentials.refreshToken &&
        !input.stream
      ) {
        await reply.body.dump().catch(() => {});
        credentials = await this.refresher.refresh(
          connection,
          auth,
          definition,
          client,
          credentials.accessToken,
        );
        reply = await this.dispatch(credentials, definition, client, method, target, input);
      }
      this.metrics.upstreamLatency.observe(
        { connection: connection.linkName },
        (performance.now() - startedAt) / 1000,
      );
      let finished = false;
      const done = (outcome = `${Math.floor(reply.statusCode / 100)}xx`) => {
        if (finished) return;
        finished = true;
        this.metrics.invocations.inc({ connection: connection.linkName, outcome });
        void this.record(
          viewer,
          connection,
          method,
          target.toString(),
          String(reply.statusCode),
          startedAt,
          outcome,
        ).catch((e) => this.logger.error({ err: e }, 'could not record an invocation'));
      };
      return {
        status: reply.statusCode,
        headers: responseHeaders(reply.headers),
        body: reply.body,
        startedAt,
        done,
        fail: (error) => {
          const translated = this.translate(error);
          done(translated instanceof AppError ? translated.code : 'ERROR');
          return translated;
        },
      };
    } catch (error) {
      // The outcome is the code the caller gets: a refused DNS answer or a timeout is HOST_NOT_ALLOWED or
      // UPSTREAM_TIMEOUT in the metrics and the audit log too, not a generic ERROR.
      const translated = this.translate(error);
      return fail(translated, translated instanceof AppError ? translated.code : 'ERROR');
    }
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

  private targetUrl(base: string | undefined, input: InvocationInput): URL {
    let url: URL;
    try {
      url = /^[a-z][a-z0-9+.-]*:/i.test(input.url)
        ? new URL(input.url)
        : new URL(input.url.replace(/^\/+/, ''), base!.endsWith('/') ? base : `${base}/`);
    } catch {
      throw new AppError(
        'BAD_USER_INPUT',
        `url: "${input.url.slice(0, 200)}" is not a URL, nor a path under the service's API base URL`,
        { field: 'url' },
      );
    }
    for (const [k, v] of Object.entries(input.query ?? {}))
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
    return url;
  }

  private async dispatch(
    credentials: Credentials,
    definition: Parameters<typeof authenticate>[2],
    client: Parameters<typeof authenticate>[3] | null,
    method: string,
    target: URL,
    input: InvocationInput,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {};
    const named = connectionOptions(input.headers ?? {});
    for (const [k, v] of stringMap('headers', input.headers, false))
      if (!DROP_REQUEST.has(k.toLowerCase()) && !named.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
    // A form is encoded here, once, so every auth type sends it the same way (RFC 3986 encoding, as the
    // OAuth 1.0a signature and FORM_DATA credentials append to it); a map left to undici would be refused.
    let body: string | undefined;
    if (input.form) {
      body = stringMap('form', input.form, true)
        .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
        .join('&');
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (typeof input.body === 'string') body = input.body;
    // Streamed bytes cannot take credentials appended: declaring them opaque (RFC 9110 8.3) makes FORM_DATA
    // credentials travel in the query instead of a form body that would be dropped for the stream.
    if ((input.stream || Buffer.isBuffer(input.body)) && !headers['content-type'])
      headers['content-type'] = 'application/octet-stream';
    const outgoing: OutgoingRequest = { method, url: target.toString(), headers, body };
    const signed = authenticate(outgoing, credentials, definition, client ?? undefined);
    const url = new URL(signed.url);
    checkUrlTarget(url, this.config.invocation.allowPrivateNetworks);
    const sent = input.stream ?? (Buffer.isBuffer(input.body) ? input.body : signed.body);
    return undiciRequest(url, {
      method: method as Dispatcher.HttpMethod,
      headers: signed.headers,
      body: sent as string | Buffer | Readable | undefined,
      dispatcher: this.dispatcher,
      signal: AbortSignal.timeout(this.config.invocation.timeoutMs),
      headersTimeout: this.config.invocation.timeoutMs,
      bodyTimeout: this.config.invocation.timeoutMs,
    });
  }

  /** Our errors pass; protocol, network and timeout errors become clear codes. Never a credential. */
  private translate(error: unknown): unknown {
    if (error instanceof AppError) return error;
    if (
      error instanceof AddressNotAllowedError ||
      (error instanceof Error && (error.cause as { code?: string })?.code === 'HOST_NOT_ALLOWED')
    )
      return new AppError(
        'HOST_NOT_ALLOWED',
        (error instanceof AddressNotAllowedError ? error : (error.cause as Error)).message,
      );
    if (error instanceof AuthFlowError) {
      if (error.code === 'HOST_NOT_ALLOWED') return new AppError('HOST_NOT_ALLOWED', error.message);
      if (error.code === 'INVALID_CREDENTIALS' || error.code === 'INVALID_SERVICE')
        return new AppError('BAD_USER_INPUT', error.message);
      return new AppError('UPSTREAM_UNAVAILABLE', error.message);
    }
    const e = error as Error & { name?: string; code?: string };
    if (
      e?.name === 'TimeoutError' ||
      e?.name === 'AbortError' ||
      e?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
      e?.code === 'UND_ERR_BODY_TIMEOUT'
    )
      return new AppError(
        'UPSTREAM_TIMEOUT',
        `The upstream did not answer within ${this.config.invocation.timeoutMs} ms.`,
      );
    if (
      e?.code?.startsWith('UND_ERR') ||
      e?.code === 'ECONNREFUSED' ||
      e?.code === 'ENOTFOUND' ||
      e?.code === 'ECONNRESET'
    )
      return new AppError('UPSTREAM_UNAVAILABLE', `The upstream could not be reached (${e.code}).`);
    return error;
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
        principalId: connection.useLoginUserCredentials ? viewer.userId : connection.ownerId,
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
