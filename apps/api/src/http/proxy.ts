import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { InvocationInput, InvocationsService, UpstreamReply } from '../domain/invocations';
import type { AccountsService } from '../domain/accounts';
import { proxyRequestHeaders } from '../domain/invocation-request';
import { limitBody } from '../domain/read-body';
import type { Viewer } from '../domain/viewer';
import { AppError, unauthenticated } from '../errors';
import { viewerFromHeaders } from './auth';

const FORM = /^application\/x-www-form-urlencoded/i;
export const PROXY_CSRF_HEADER = 'x-connections-proxy';
/**
 * The upstream's body is served from this origin, beside the console: whatever it is (HTML included), it must
 * not run, load anything or be framed here. It replaces any policy the upstream sent.
 */
export const PROXY_RESPONSE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

interface ProxyDeps {
  accounts: AccountsService;
  invocations: InvocationsService;
  maxResponseBytes: number;
}

/**
 * ANY /proxy/<link name>/<path>?<query>: the same call as invokeUrl over plain HTTP. The upstream's status,
 * headers and body stream back; request bodies stream up too, except forms, which are read so their
 * fields can be signed or carry credentials.
 */
export function mountProxy(app: Express, deps: ProxyDeps): void {
  const formParser = express.urlencoded({ extended: false, limit: '10mb' });
  app.all(
    /^\/proxy\/([a-z0-9_]{1,50})(\/.*)?$/,
    // The caller first, the body after: nobody unauthenticated gets a 10 MB form read and parsed.
    authenticate(deps.accounts),
    (req, res, next) => (FORM.test(req.headers['content-type'] ?? '') ? formParser(req, res, next) : next()),
    async (req: Request, res) => {
      try {
        const viewer = res.locals.viewer as Viewer;
        const reply = await deps.invocations.send(viewer, invocationOf(req));
        await streamReply(reply, res, deps.maxResponseBytes);
      } catch (error) {
        if (res.headersSent) return res.destroy();
        sendError(res, error);
      }
    },
  );
}

function authenticate(accounts: AccountsService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.viewer = await proxyViewer(accounts, req);
    } catch (error) {
      // A refused request's body is never read: close the connection rather than drain it.
      if (hasBody(req)) res.setHeader('Connection', 'close');
      return sendError(res, error);
    }
    next();
  };
}

// RFC 9112 6.3: a request has a body only with Transfer-Encoding or a non-zero Content-Length.
const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

async function proxyViewer(accounts: AccountsService, req: Request): Promise<Viewer> {
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
function invocationOf(req: Request): InvocationInput {
  const linkName = (req.params as Record<string, string>)[0]!;
  const path = ((req.params as Record<string, string>)[1] ?? '/').replace(/^\//, '');
  const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
  const isForm = FORM.test(req.headers['content-type'] ?? '');
  // A bare `POST` (curl -X POST) has no body: streaming an empty one would send it chunked, and keep
  // FORM_DATA credentials out of the form body they can travel in.
  return {
    linkName,
    url: `${path}${search}`,
    method: req.method,
    headers: proxyRequestHeaders(req.headers),
    form: isForm ? (req.body as Record<string, string | string[]>) : undefined,
    stream: hasBody(req) && !isForm ? req : undefined,
  };
}

/** The upstream's status, headers and body, streamed back within the response-size limit. */
async function streamReply(reply: UpstreamReply, res: Response, maxResponseBytes: number): Promise<void> {
  let body: Readable;
  try {
    // A declared length over the limit is refused here, before the status or a byte goes to the caller.
    body = limitBody(reply.body, maxResponseBytes, reply.headers['content-length']);
  } catch (error) {
    throw reply.fail(error);
  }
  res.status(reply.status);
  for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
  res.setHeader('Content-Security-Policy', PROXY_RESPONSE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  try {
    await pipeline(body, res);
    reply.done();
  } catch (error) {
    // Headers are gone already: past the limit the only honest thing left is to cut the response.
    if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') reply.done('ABORTED');
    else reply.fail(error); // too large (RESPONSE_TOO_LARGE), or the upstream timed out or broke off
    res.destroy();
  }
}

function sendError(res: Response, error: unknown): void {
  const e = error instanceof AppError ? error : null;
  res
    .status(e?.httpStatus ?? 500)
    .type('application/json')
    .send({
      error: {
        code: e?.code ?? 'INTERNAL_SERVER_ERROR',
        message: e?.message ?? 'Internal server error.',
        ...(e?.details ?? {}),
      },
    });
}
