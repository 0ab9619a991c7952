import { finished, pipeline, type Readable, Transform } from 'node:stream';
import { AppError } from '../errors';

const TEXTUAL =
  /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded|graphql)|image\/svg\+xml)/i;

/** Whether a body of this content type can be returned as text (otherwise it is base64-encoded). */
export function isTextual(contentType: string | string[] | undefined): boolean {
  const ct = Array.isArray(contentType) ? contentType[0] : contentType;
  return !ct || TEXTUAL.test(ct.trim());
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;
const UTF8 = /^utf-?8$/i;

/**
 * The body as the caller reads it: text decoded by the charset its content type declares (RFC 9110 8.3.2;
 * TextDecoder knows the WHATWG Encoding Standard's labels), UTF-8 when none is declared (RFC 8259 8.1 for
 * JSON), base64 for a binary body or a charset nobody can decode (the bytes are not lost).
 */
export function decodeBody(
  bytes: Buffer,
  contentType: string | string[] | undefined,
): { body: string; bodyBase64: boolean } {
  if (!isTextual(contentType)) return { body: bytes.toString('base64'), bodyBase64: true };
  const charset = CHARSET.exec((Array.isArray(contentType) ? contentType[0] : contentType) ?? '')?.[1];
  if (!charset || UTF8.test(charset)) return { body: bytes.toString('utf8'), bodyBase64: false };
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    return { body: bytes.toString('base64'), bodyBase64: true };
  }
  return { body: decoder.decode(bytes), bodyBase64: false };
}

const tooLarge = (limit: number) =>
  new AppError('RESPONSE_TOO_LARGE', `The upstream response is larger than the ${limit}-byte limit.`);

/** True when the body declares a length within the limit; throws (the body destroyed) when past it. */
function withinDeclared(body: Readable, limit: number, declared?: string | string[]): boolean {
  const length = Number(Array.isArray(declared) ? declared[0] : declared);
  if (Number.isFinite(length) && length > limit) {
    body.destroy();
    throw tooLarge(limit);
  }
  return Number.isFinite(length);
}

/**
 * A response body held to `limit` bytes, for both transports (invokeUrl reads it, /proxy pipes it). A declared
 * length over the limit is refused at once, before anything is read or sent on. A body of unknown length is
 * counted and errors with RESPONSE_TOO_LARGE past the limit; the upstream stream is destroyed with it (the
 * socket is not kept waiting), and destroying the result destroys the upstream stream too.
 */
export function limitBody(body: Readable, limit: number, declared?: string | string[]): Readable {
  // A declared length within the limit is a bound already (the HTTP parser refuses bytes past it): the
  // counting stage is only needed for a body of unknown length.
  if (withinDeclared(body, limit, declared)) return body;
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      cb(size > limit ? tooLarge(limit) : null, chunk);
    },
  });
  // The pipeline's own error is the counter's too, which its reader sees: nothing to do with it here.
  return pipeline(body, counter, () => {});
}

/**
 * Reads a response body whole, held to `limit` bytes as `limitBody` holds it: RESPONSE_TOO_LARGE for a declared
 * length past it (nothing read) or once the bytes pass it (the upstream stream destroyed), the stream's own
 * error otherwise (a timeout, a socket broken off, ERR_STREAM_PREMATURE_CLOSE). With 'data' events rather than
 * an async iterator and a counting stage: a promise per chunk and a second stream were a measurable share of
 * an invokeUrl call (issue 15).
 */
export async function readLimited(
  body: Readable,
  limit: number,
  declared?: string | string[],
): Promise<Buffer> {
  withinDeclared(body, limit, declared);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) body.destroy(tooLarge(limit));
      else chunks.push(chunk);
    };
    body.on('data', onData);
    finished(body, (error) => {
      body.off('data', onData);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
  });
}
