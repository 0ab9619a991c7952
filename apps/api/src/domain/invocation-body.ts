import { randomBytes } from 'node:crypto';
import { AppError } from '../errors';

/**
 * The largest request body invokeUrl sends upstream, counted in decoded bytes (a text body, a binary body, or
 * a multipart body with its files). GraphQL carries binary as base64, so the HTTP request to /graphql that
 * holds such a body is about 4/3 of it: see `INVOKE_HTTP_BODY_LIMIT` in graphql/invoke-body-limit.ts.
 */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** One file of a multipart body, as the caller gives it. */
export interface FilePart {
  field: string;
  filename: string;
  contentType?: string | null;
  contentBase64: string;
}

export const payloadTooLarge = (size: number, limit = MAX_REQUEST_BYTES) =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `The request body is ${size} bytes, past the ${limit}-byte (${limit / 1024 / 1024} MiB) limit.`,
    { limitBytes: limit },
  );

// RFC 4648 section 4 (standard alphabet, padding optional); whitespace is tolerated as MIME wraps it.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 decoded, or a BAD_USER_INPUT naming the field; past the limit, PAYLOAD_TOO_LARGE before decoding. */
export function decodeBase64(field: string, value: string): Buffer {
  const compact = /\s/.test(value) ? value.replace(/\s+/g, '') : value;
  const size = Math.floor((compact.length * 3) / 4);
  if (size > MAX_REQUEST_BYTES) throw payloadTooLarge(size);
  // Buffer.from skips what is not base64: a typo would send different bytes silently.
  if (!BASE64.test(compact) || compact.length % 4 === 1)
    throw new AppError('BAD_USER_INPUT', `${field}: is not base64`, { field });
  return Buffer.from(compact, 'base64');
}

// RFC 7578 section 4.2 leaves the escaping of names to the HTML form rules: the WHATWG encoding
// (multipart/form-data encoding algorithm) percent-encodes the quote and line breaks.
const quoted = (s: string) => `"${s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;

/**
 * A multipart/form-data body (RFC 7578): the form fields first, then the files, each file's bytes exactly as
 * decoded. Built once per call, so a retry or a redirect sends the same bytes.
 */
export function multipartBody(
  fields: [string, string][],
  files: FilePart[],
): { bytes: Buffer; contentType: string } {
  // 24 random bytes: a boundary that cannot occur in the content by chance (RFC 2046 5.1.1 allows 70 chars).
  const boundary = `----connections-${randomBytes(24).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of fields)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`,
      ),
    );
  files.forEach((file, i) => {
    const type = file.contentType || 'application/octet-stream';
    if (!HEADER_SAFE.test(type))
      throw new AppError('BAD_USER_INPUT', `files.${i}.contentType: is not a valid content type`, {
        field: 'files',
      });
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; ` +
      `filename=${quoted(file.filename)}\r\nContent-Type: ${type}\r\n\r\n`;
    parts.push(Buffer.from(head), decodeBase64(`files.${i}.contentBase64`, file.contentBase64));
    parts.push(Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const bytes = Buffer.concat(parts);
  if (bytes.length > MAX_REQUEST_BYTES) throw payloadTooLarge(bytes.length);
  return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
}
