import express from 'express';
import { Kind, parse } from 'graphql';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountsService } from '../domain/accounts';
import { MAX_REQUEST_BYTES } from '../domain/invocation-body';
import { viewerFromHeaders } from '../http/auth';
import { bodyErrorOf } from '../http/body-errors';
import { plainJsonBody } from '../http/json-body';

/** Every GraphQL operation over HTTP fits in 1 MB of JSON... */
export const GRAPHQL_BODY_LIMIT = 1024 * 1024;
/**
 * ...but an invokeUrl carrying a file or a binary body: its bytes travel base64-encoded (4/3 of the 10 MiB
 * MAX_REQUEST_BYTES), with the rest of the operation beside them.
 */
export const INVOKE_HTTP_BODY_LIMIT = Math.ceil((MAX_REQUEST_BYTES * 4) / 3) + GRAPHQL_BODY_LIMIT;

/** How a /graphql request body was read: its value (undefined when it is not JSON), or why it was refused. */
export type GraphqlBody =
  { body: unknown } | { refused: { status: number; payload: unknown; closeConnection: boolean } };

type Parser = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Reads a /graphql JSON body: 1 MB, raised to INVOKE_HTTP_BODY_LIMIT for one operation only, invokeUrl.
 *
 * Why this rather than the GraphQL multipart request spec: invokeUrl sends the file on, it never stores it,
 * so a streamed upload would gain nothing (the body is built whole to be sent again on a retry or a 307);
 * base64 in JSON works from every GraphQL client, curl and the console without an upload library (a new
 * dependency) or Apollo's CSRF preflight exception for multipart; and the cost, a third more bytes on the
 * wire, is bounded by the limit. The larger limit is only offered to an authenticated caller whose request
 * declares its length: anyone else past 1 MB is refused before a byte of the body is read, and a large body
 * that turns out not to be a lone invokeUrl is refused after parsing, both as the 1 MB parser refuses (413,
 * BAD_REQUEST, body-errors.ts). An invokeUrl past the larger limit is PAYLOAD_TOO_LARGE naming it.
 */
export function graphqlBodyReader(accounts: AccountsService) {
  const small = express.json({ limit: GRAPHQL_BODY_LIMIT }) as unknown as Parser;
  const large = express.json({ limit: INVOKE_HTTP_BODY_LIMIT }) as unknown as Parser;
  const parse = (parser: Parser, req: IncomingMessage, res: ServerResponse) =>
    new Promise<unknown>((resolve, reject) =>
      parser(req, res, (err) => (err ? reject(err) : resolve((req as { body?: unknown }).body))),
    );
  return async (req: IncomingMessage, res: ServerResponse): Promise<GraphqlBody> => {
    const declared = Number(req.headers['content-length']);
    try {
      // Up to 1 MB: plain JSON of a declared length read directly, the rest (chunked, compressed, another
      // type or charset) by body-parser, both at 1 MB.
      if (!(declared > GRAPHQL_BODY_LIMIT))
        return { body: await (plainJsonBody(req, GRAPHQL_BODY_LIMIT) ?? parse(small, req, res)) };
      // A body refused unread is not drained: the connection closes after the answer.
      if (declared > INVOKE_HTTP_BODY_LIMIT) return tooLarge();
      if (!(await viewerFromHeaders(accounts, req.headers))) return refused(refusedAsBefore(), true);
      const body = await (plainJsonBody(req, INVOKE_HTTP_BODY_LIMIT) ?? parse(large, req, res));
      return onlyInvokeUrl(body) ? { body } : refused(refusedAsBefore(), false);
    } catch (err) {
      return refused(err, false);
    }
  };
}

function refused(err: unknown, closeConnection: boolean): GraphqlBody {
  const { status, code, message } = bodyErrorOf(err);
  return { refused: { status, payload: { errors: [{ message, extensions: { code } }] }, closeConnection } };
}

/** A single operation whose one root field is the invokeUrl mutation (an alias is fine). */
function onlyInvokeUrl(body: unknown): boolean {
  const query = (body as { query?: unknown } | null)?.query;
  if (typeof query !== 'string' || Array.isArray(body)) return false;
  try {
    const { definitions } = parse(query, { noLocation: true });
    const [op] = definitions;
    return (
      definitions.length === 1 &&
      op?.kind === Kind.OPERATION_DEFINITION &&
      op.operation === 'mutation' &&
      op.selectionSet.selections.length === 1 &&
      op.selectionSet.selections[0]!.kind === Kind.FIELD &&
      op.selectionSet.selections[0]!.name.value === 'invokeUrl'
    );
  } catch {
    return false;
  }
}

/** What body-parser's own limit gives (body-errors.ts): 413, "The request body is too large." */
const refusedAsBefore = () =>
  Object.assign(new Error('too large'), { status: 413, type: 'entity.too.large' });

function tooLarge(): GraphqlBody {
  const message = `The request body is past the ${INVOKE_HTTP_BODY_LIMIT}-byte limit for invokeUrl.`;
  return {
    refused: {
      status: 413,
      payload: {
        errors: [{ message, extensions: { code: 'PAYLOAD_TOO_LARGE', limitBytes: INVOKE_HTTP_BODY_LIMIT } }],
      },
      closeConnection: true,
    },
  };
}
