import type { RequestHandler } from 'express';

export type HeaderList = [string, string | string[]][];

/**
 * The headers a middleware sets whatever the request, captured by running it once against a recording
 * response. The security headers (helmet) are such a middleware: their values depend on the configuration
 * and the public URL only, yet helmet builds them again on every request (the policy string included).
 */
export function recordHeaders(middleware: RequestHandler): HeaderList {
  const headers: HeaderList = [];
  const recorder = {
    setHeader: (name: string, value: string | string[] | number) =>
      headers.push([name, typeof value === 'number' ? String(value) : value]),
    removeHeader: () => {},
    getHeader: () => undefined,
  };
  middleware({ headers: {}, method: 'GET', url: '/' } as never, recorder as never, () => {});
  return headers;
}

/**
 * `middleware`'s fixed headers, recorded on the first request (once the public URL is known: the server
 * listens before it answers) and replayed on every request after it.
 */
export function replayedHeaders(middleware: RequestHandler): RequestHandler {
  let recorded: HeaderList | undefined;
  return (_req, res, next) => {
    recorded ??= recordHeaders(middleware);
    for (const [name, value] of recorded) res.setHeader(name, value);
    next();
  };
}
