import { type ApolloServer, HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from 'proxy-addr';
import { viewerFromHeaders } from '../http/auth';
import type { HeaderList } from '../http/fixed-headers';
import { sessionCookie } from '../http/session-cookie';
import type { AppServices, GqlContext } from './context';
import { type GraphqlAnswer, singleResultContentType } from './execution-answer';
import { graphqlBodyReader } from './invoke-body-limit';
import type { PostedOperation, PreparedOperations } from './prepared-operations';

export interface GraphqlHttpDeps {
  apollo: ApolloServer<GqlContext>;
  prepared: PreparedOperations;
  services: AppServices;
  /** The site's security headers, recorded once (fixed-headers.ts): every answer carries them. */
  securityHeaders: () => HeaderList;
  /** Who may name the client in X-Forwarded-For (CONNECTIONS_TRUST_PROXY), as Express compiled it for req.ip. */
  trustProxy: (address: string, hop: number) => boolean;
}

/** Answers a request when it is /graphql's (returns true); anything else is left to the next handler. */
export type GraphqlHttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

// What Express's app.use('/graphql') matched: the path itself, below it, or with a query string.
const isGraphqlPath = (url: string | undefined) =>
  url !== undefined && url.startsWith('/graphql') && (url.length === 8 || url[8] === '/' || url[8] === '?');

/**
 * /graphql over HTTP on node:http, in front of Express: what @as-integrations/express5 does (the request to
 * Apollo's executeHTTPGraphQLRequest, its answer back), without Express's chain, which cost about 40% of an
 * invokeUrl call's CPU (routing, request decoration, its body parser wrapper, a per-response ETag; issue 15).
 * A JSON POST whose query text Apollo has already validated is run by PreparedOperations without Apollo's
 * per-request pipeline; every other request is Apollo's. WebSocket upgrades never come here (ws-server.ts).
 */
export function graphqlHttpHandler(deps: GraphqlHttpDeps): GraphqlHttpHandler {
  const readBody = graphqlBodyReader(deps.services.accounts);
  return (req, res) => {
    if (!isGraphqlPath(req.url)) return false;
    for (const [name, value] of deps.securityHeaders()) res.setHeader(name, value);
    serve(deps, readBody, req, res).catch((error: unknown) => {
      deps.services.logger.error({ err: error }, 'unexpected HTTP error');
      if (res.headersSent) return void res.destroy();
      write(res, { status: 500, contentType: JSON_TYPE, body: INTERNAL });
    });
    return true;
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const INTERNAL = JSON.stringify({
  errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
});

async function serve(
  deps: GraphqlHttpDeps,
  readBody: ReturnType<typeof graphqlBodyReader>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  let body: unknown;
  if (method === 'POST') {
    const read = await readBody(req, res);
    if ('refused' in read) {
      const { status, payload, closeConnection } = read.refused;
      if (closeConnection) res.setHeader('Connection', 'close');
      return write(res, { status, contentType: JSON_TYPE, body: JSON.stringify(payload) });
    }
    body = read.body;
  }
  const context = contextFor(deps, req, res);
  // Not awaited unless it is used: a rejected context nobody reads would be an unhandled rejection.
  context.catch(() => {});
  const contentType = method === 'POST' ? singleResultContentType(req.headers.accept) : null;
  const fast =
    contentType && isPostedOperation(body) ? await deps.prepared.run(body, contentType, context) : undefined;
  if (fast) return write(res, fast);
  const answer = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers: headerMap(req), search: searchOf(req.url), body },
    context: () => context,
  });
  await writeApollo(res, answer);
}

const isPostedOperation = (body: unknown): body is PostedOperation =>
  body !== null && typeof body === 'object' && !Array.isArray(body);

/** The operation's context, as both paths build it: the caller, the services, the session cookie, the address. */
async function contextFor(
  deps: GraphqlHttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<GqlContext> {
  const { services } = deps;
  return {
    viewer: await viewerFromHeaders(services.accounts, req.headers),
    app: services,
    session: sessionCookie(res, services.config.publicUrl),
    clientAddress: proxyAddr(req, deps.trustProxy),
  };
}

function headerMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers))
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  return headers;
}

function searchOf(url: string | undefined): string {
  const at = url?.indexOf('?') ?? -1;
  return at < 0 ? '' : url!.slice(at);
}

function write(res: ServerResponse, answer: GraphqlAnswer): void {
  for (const [name, value] of answer.headers ?? []) res.setHeader(name, value);
  res.statusCode = answer.status;
  res.setHeader('Content-Type', answer.contentType);
  res.setHeader('Content-Length', Buffer.byteLength(answer.body));
  res.end(answer.body);
}

async function writeApollo(res: ServerResponse, answer: HTTPGraphQLResponse): Promise<void> {
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  res.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    res.setHeader('Content-Length', Buffer.byteLength(answer.body.string));
    return void res.end(answer.body.string);
  }
  // Incremental delivery (@defer/@stream): each part as it comes.
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}
