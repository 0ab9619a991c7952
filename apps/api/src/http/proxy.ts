import express, { type Express, type Request } from 'express';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { InvocationsService } from '../domain/invocations';
import type { AccountsService } from '../domain/accounts';
import { AppError, unauthenticated } from '../errors';
import { viewerFromHeaders } from './auth';

const FORM = /^application\/x-www-form-urlencoded/i;
export const PROXY_CSRF_HEADER = 'x-connections-proxy';

/**
 * ANY /proxy/<link name>/<path>?<query>: the same call as invokeUrl over plain HTTP. The upstream's status,
 * headers and body stream back; request bodies stream up too, except forms, which are read so their
 * fields can be signed or carry credentials.
 */
export function mountProxy(
  app: Express,
  deps: { accounts: AccountsService; invocations: InvocationsService; maxResponseBytes: number },
): void {
  const formParser = express.urlencoded({ extended: false, limit: '10mb' });
  app.all(
    /^\/proxy\/([a-z0-9_]{1,50})(\/.*)?$/,
    (req, res, next) => (FORM.test(req.headers['content-type'] ?? '') ? formParser(req, res, next) : next()),
    async (req: Request, res) => {
      try {
        const viewer = await viewerFromHeaders(deps.accounts, req.headers);
        if (!viewer) throw unauthenticated();
        // A session cookie also rides along on cross-site navigations (SameSite=Lax lets top-level GETs
        // through): a cookie-authenticated call must carry a header that only same-origin code can set.
        if (viewer.authMethod === 'SESSION' && !req.headers[PROXY_CSRF_HEADER])
          throw new AppError(
            'FORBIDDEN',
            `Calls authenticated by the console session must send the ${PROXY_CSRF_HEADER} header (or use an API token).`,
          );
        const linkName = (req.params as Record<string, string>)[0]!;
        const path = ((req.params as Record<string, string>)[1] ?? '/').replace(/^\//, '');
        const search = req.originalUrl.includes('?')
          ? req.originalUrl.slice(req.originalUrl.indexOf('?'))
          : '';
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const isForm = FORM.test(req.headers['content-type'] ?? '');
        // RFC 9112 6.3: a request has a body only with Transfer-Encoding or a non-zero Content-Length. A bare
        // `POST` (curl -X POST) has none: streaming an empty body would send it chunked, and keep FORM_DATA
        // credentials out of the form body they can travel in.
        const hasBody =
          isForm ||
          req.headers['transfer-encoding'] !== undefined ||
          Number(req.headers['content-length'] ?? 0) > 0;
        const reply = await deps.invocations.send(viewer, {
          linkName,
          url: `${path}${search}`,
          method: req.method,
          headers,
          form: isForm ? (req.body as Record<string, string | string[]>) : undefined,
          stream: hasBody && !isForm ? req : undefined,
        });
        const declared = Number(reply.headers['content-length']);
        if (Number.isFinite(declared) && declared > deps.maxResponseBytes) {
          reply.body.destroy();
          reply.done('RESPONSE_TOO_LARGE');
          throw new AppError(
            'RESPONSE_TOO_LARGE',
            `The upstream response is larger than the ${deps.maxResponseBytes}-byte limit.`,
          );
        }
        res.status(reply.status);
        for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
        let size = 0;
        const limiter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            size += chunk.length;
            // Headers are gone already: past the limit the only honest thing left is to cut the response.
            cb(
              size > deps.maxResponseBytes ? new AppError('RESPONSE_TOO_LARGE', 'response too large') : null,
              chunk,
            );
          },
        });
        try {
          // A declared length within the limit is a bound already (the HTTP parser refuses bytes past it): the
          // counting stage is only needed for a body of unknown length.
          await (Number.isFinite(declared) ? pipeline(reply.body, res) : pipeline(reply.body, limiter, res));
          reply.done();
        } catch (error) {
          if (size > deps.maxResponseBytes) reply.done('RESPONSE_TOO_LARGE');
          else if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') reply.done('ABORTED');
          else reply.fail(error); // the upstream timed out or broke off mid-body
          res.destroy();
        }
      } catch (error) {
        if (res.headersSent) return res.destroy();
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
    },
  );
}
