import express, { type RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { InvocationInput, InvocationsService, UpstreamReply } from '../domain/invocations';
import type { AccountsService } from '../domain/accounts';
import { proxyRequestHeaders } from '../domain/invocation-request';
import { limitBody } from '../domain/read-body';
import type { Viewer } from '../domain/viewer';
import { AppError, unauthenticated } from '../errors';
import { viewerFromHeaders } from './auth';
import { bodyErrorOf } from './body-errors';
import { recordHeaders } from './fixed-headers';

const FORM = /^application\/x-www-form-urlencoded/i;
export const PROXY_CSRF_HEADER = 'x-connections-proxy';
/**
 * The upstream's body is served from this origin, beside the console: whatever it is (HTML included), it must
 * not run, load anything or be framed here. It replaces any policy the upstream sent.
 */
export const PROXY_RESPONSE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

// The path is passed on as the caller wrote it (no decoding: `%2F` stays one segment for the upstream); the
// query string likewise.
const ROUTE = /^\/proxy\/([a-z0-9_]{1,50})(\/[^?]*)?(\?.*)?$/;

interface ProxyDeps {
  accounts: AccountsService;
  invocations: InvocationsService;
  maxResponseBytes: number;
  /** The site-wide security headers middleware (helmet): its fixed headers go on every /proxy answer too. */
  securityHeaders: RequestHandler;
}

/** Answers a request when it is /proxy's (returns true); anything else is left to the Express app. */
export type ProxyHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * ANY /proxy/<link name>/<path>?<query>: the same call as invokeUrl over plain HTTP. The upstream's status,
 * headers and body stream back; request bodies stream up too, except forms, which are read so their fields
 * can be signed or carry credentials.
 *
 * A lean handler in front of Express rather than an Express route: a proxied call is the hot path, and it
 * needs none of the app's chain (routing through every layer, request/response decoration, the per-request
 * security-header computation). The headers that chain would add are computed once and set here.
 */
export function proxyHandler(deps: ProxyDeps): ProxyHandler {
  const formParser = express.urlencoded({ extended: false, limit: '10mb' }) as unknown as (
    req: IncomingMessage,
    res: ServerResponse,
    next: (err?: unknown) => void,
  ) => void;
  // Helmet's headers but the policy, which /proxy replaces (PROXY_RESPONSE_CSP).
  const fixedHeaders = recordHeaders(deps.securityHeaders).filter(
    ([name]) => name.toLowerCase() !== 'content-security-policy',
  );
  return (req, res) => {
    if (!req.url?.startsWith('/proxy/')) return false;
    for (const [name, value] of fixedHeaders) res.setHeader(name, value);
    const route = ROUTE.exec(req.url);
    if (!route) {
      sendError(res, new AppError('NOT_FOUND', 'No such route: /proxy/<link name>/<path>.'));
      return true;
    }
    void serve(deps, formParser, req, res, route);
    return true;
  };
}

async function serve(
  deps: ProxyDeps,
  formParser: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void,
  req: IncomingMessage,
  res: ServerResponse,
  route: RegExpExecArray,
): Promise<void> {
  let viewer: Viewer;
  try {
    // The caller first, the body after: nobody unauthenticated gets a 10 MB form read and parsed.
    viewer = await proxyViewer(deps.accounts, req);
  } catch (error) {
    // A refused request's body is never read: close the connection rather than drain it.
    if (hasBody(req)) res.setHeader('Connection', 'close');
    return sendError(res, error);
  }
  const isForm = FORM.test(req.headers['content-type'] ?? '');
  if (isForm) {
    const parsed = await new Promise<unknown>((resolve) => formParser(req, res, resolve));
    if (parsed) return sendBodyError(res, parsed);
  }
  try {
    const reply = await deps.invocations.send(viewer, invocationOf(req, route, isForm));
    await streamReply(reply, res, deps.maxResponseBytes);
  } catch (error) {
    if (res.headersSent) return void res.destroy();
    sendError(res, error);
  }
}

// RFC 9112 6.3: a request has a body only with Transfer-Encoding or a non-zero Content-Length.
const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

async function proxyViewer(accounts: AccountsService, req: IncomingMessage): Promise<Viewer> {
  const viewer = await viewerFromHeaders(accounts, req.headers);
  if (!viewer) throw unauthenticated();
  // A session cookie also rides along on cross-site navigations (SameSite=Lax lets top-level GETs
  // through): a cookie-authenticated call must carry a header that only same-origin code can set.
  if (viewer.authMethod === 'SESSION' && !req.headers[PROXY_CSRF_HEADER])
    throw new AppError(
      'FORBIDDEN',
      `Calls authenticated by the console session must send the ${PROXY_CSRF_HEADER} header (or use an API token).`,
    );
  return viewer;
}

/** The HTTP request as an invocation: path and query as they came, the body as a form or a stream. */
function invocationOf(req: IncomingMessage, route: RegExpExecArray, isForm: boolean): InvocationInput {
  const [, linkName, path = '/', search = ''] = route;
  // A bare `POST` (curl -X POST) has no body: streaming an empty one would send it chunked, and keep
  // FORM_DATA credentials out of the form body they can travel in.
  return {
    linkName: linkName!,
    url: `${path.slice(1)}${search}`,
    method: req.method ?? 'GET',
    headers: proxyRequestHeaders(req.headers),
    form: isForm ? (req as IncomingMessage & { body: Record<string, string | string[]> }).body : undefined,
    stream: hasBody(req) && !isForm ? req : undefined,
  };
}

/** The upstream's status, headers and body, streamed back within the response-size limit. */
async function streamReply(
  reply: UpstreamReply,
  res: ServerResponse,
  maxResponseBytes: number,
): Promise<void> {
  let body: Readable;
  try {
    // A declared length over the limit is refused here, before the status or a byte goes to the caller.
    body = limitBody(reply.body, maxResponseBytes, reply.headers['content-length']);
  } catch (error) {
    throw reply.fail(error);
  }
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
  res.setHeader('Content-Security-Policy', PROXY_RESPONSE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  try {
    await pump(body, res);
    reply.done();
  } catch (error) {
    // Headers are gone already: past the limit the only honest thing left is to cut the response.
    if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') reply.done('ABORTED');
    else reply.fail(error); // too large (RESPONSE_TOO_LARGE), or the upstream timed out or broke off
    res.destroy();
  }
}

/**
 * `body` piped into the response; resolves once the response has been handed over whole, rejects with the
 * body's error (the limit, a timeout, the upstream breaking off) or a premature close (the caller left),
 * destroying the body either way so the upstream socket is released. `stream/promises`' pipeline does the
 * same with an AbortController per call (and a DOMException when it finishes): a cost on every proxied call.
 */
function pump(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (!error) return resolve();
      body.destroy();
      reject(error);
    };
    body.once('error', settle);
    res.once('finish', () => settle());
    res.once('close', () => {
      if (!res.writableFinished)
        settle(
          Object.assign(new Error('The caller closed the connection.'), {
            code: 'ERR_STREAM_PREMATURE_CLOSE',
          }),
        );
    });
    body.pipe(res);
  });
}

/** A form body that could not be read (over the limit, malformed): body-errors.ts says what the caller is told. */
function sendBodyError(res: ServerResponse, err: unknown): void {
  const { status, code, message } = bodyErrorOf(err);
  sendJson(res, status, { error: { code, message } });
}

function sendError(res: ServerResponse, error: unknown): void {
  const e = error instanceof AppError ? error : null;
  sendJson(res, e?.httpStatus ?? 500, {
    error: {
      code: e?.code ?? 'INTERNAL_SERVER_ERROR',
      message: e?.message ?? 'Internal server error.',
      ...(e?.details ?? {}),
    },
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
