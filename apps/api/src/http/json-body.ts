import type { IncomingMessage } from 'node:http';

/**
 * The everyday JSON body read without body-parser: a declared length within `limit`, `application/json` in
 * UTF-8, not compressed, not chunked. That is what the console, GraphQL clients and curl send, and
 * body-parser's general path (content-type and charset parsing, iconv's streaming decoder, raw-body's
 * bookkeeping) was a few percent of an invokeUrl call's CPU (issue 15). Returns undefined for any other request,
 * which body-parser reads as before.
 *
 * What the caller gets is body-parser's (lib/types/json.js, strict mode), so that the two cannot be told apart:
 * a leading BOM dropped (iconv's decoder drops it), an empty body is `{}`, a body that does not start with `{`
 * or `[` or is not JSON is a 400 `entity.parse.failed`, a body that ends short a 400 `request.aborted` or
 * `request.size.invalid`. Errors carry only `status` and `type`, which is all body-errors.ts reads (a message
 * quoting the body could hold a secret). json-body.integration.test.ts checks each case against body-parser.
 */
export function plainJsonBody(req: IncomingMessage, limit: number): Promise<unknown> | undefined {
  const length = plainJsonLength(req, limit);
  return length === undefined ? undefined : readJson(req, length);
}

// RFC 8259 section 8.1: JSON is UTF-8; a charset parameter, if any, says so (body-parser takes any `utf-*`, and
// reads the rest; those few go to it).
const PLAIN_JSON = /^application\/json[ \t]*(?:;[ \t]*charset="?utf-8"?[ \t]*)?$/i;
const DIGITS = /^\d{1,10}$/;

function plainJsonLength(req: IncomingMessage, limit: number): number | undefined {
  const { headers } = req;
  if (headers['transfer-encoding'] !== undefined) return undefined;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
  const type = headers['content-type'];
  const declared = headers['content-length'];
  if (type === undefined || declared === undefined || !PLAIN_JSON.test(type) || !DIGITS.test(declared))
    return undefined;
  const length = Number(declared);
  return length <= limit ? length : undefined;
}

const failure = (status: number, type: string) =>
  Object.assign(new Error('The request body could not be read.'), { status, type });

function readJson(req: IncomingMessage, length: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    };
    const done = (error: Error | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) return reject(error);
      // Node's HTTP parser ends the body at the declared length; a mismatch would be a bug below us.
      if (received !== length) return reject(failure(400, 'request.size.invalid'));
      try {
        resolve(parseStrict(chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString()));
      } catch {
        reject(failure(400, 'entity.parse.failed'));
      }
    };
    const onEnd = () => done(undefined);
    // The client went away before the whole body came (raw-body's 'request.aborted').
    const onError = () => done(failure(400, 'request.aborted'));
    const onClose = () => done(failure(400, 'request.aborted'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

// JSON whitespace (RFC 8259 section 2): space, tab, line feed, carriage return.
const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r]|$)/;

/** body-parser's strict JSON: an object or an array (RFC 8259 allows any value; body-parser does not). */
function parseStrict(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  if (body[0] !== '{' && body[0] !== '[') {
    const first = FIRST_NON_WHITESPACE.exec(body)?.[1];
    if (first !== '{' && first !== '[') throw new SyntaxError('strict violation');
  }
  return JSON.parse(body);
}
