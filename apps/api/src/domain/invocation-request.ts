import { type OutgoingRequest, percentEncode, urlRefusal } from '@connections/auth-flows';
import type { Readable } from 'node:stream';
import { AppError } from '../errors';
import {
  decodeBase64,
  type FilePart,
  MAX_REQUEST_BYTES,
  multipartBody,
  payloadTooLarge,
} from './invocation-body';
import type { RetryInput } from './invocation-options';

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
  /** A binary body, base64-encoded; sent with `contentType` (or the content-type header). */
  bodyBase64?: string | null;
  /** The content type of `body` or `bodyBase64` (wins over a content-type header). */
  contentType?: string | null;
  /** Files: the body becomes multipart/form-data, the `form` fields beside them. */
  files?: FilePart[] | null;
  /** Proxy only: a body to stream through unread (it cannot be signed, so never for forms). */
  stream?: Readable;
  /** Per-call options (invokeUrl only): see invocation-options.ts. */
  timeoutMs?: number | null;
  followRedirects?: boolean | null;
  retry?: RetryInput | null;
}

/**
 * The caller's input checked and normalised, once per call, before the service is known: the headers that
 * may travel, the form encoded, the body's kind decided.
 */
export interface ParsedInvocation {
  method: string;
  /** The caller's URL, resolved against the service's API base URL by `prepareRequest`. */
  url: string;
  query: [string, string][];
  headers: Record<string, string>;
  /** What credentials can be applied to: an encoded form or a text body. */
  body?: string;
  /** A Buffer body, sent as it is. */
  bytes?: Buffer;
  /** The proxy's request body, streamed through once. */
  stream?: Readable;
}

/**
 * One call's request to the service, before credentials: every attempt (the first, and the one after a 401
 * refresh) applies credentials to `request` and sends it; nothing is parsed again.
 */
export interface PreparedRequest {
  /** Method, target URL with the query, filtered headers, encoded form or text body. */
  request: OutgoingRequest;
  bytes?: Buffer;
  stream?: Readable;
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
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

import { connectionOptions } from './invocation-proxy-headers';

export { connectionOptions, proxyRequestHeaders } from './invocation-proxy-headers';

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

/** The caller's headers that may go upstream, names lower-cased. */
function requestHeaders(pairs: [string, string][]): Record<string, string> {
  const named = connectionOptions(Object.fromEntries(pairs));
  const headers: Record<string, string> = {};
  for (const [k, v] of pairs)
    if (!DROP_REQUEST.has(k.toLowerCase()) && !named.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
  return headers;
}

// RFC 9110 section 5.1: a field name is a token; section 5.5: a field value is visible octets, SP and HTAB
// (no CR, LF, NUL; nothing past one octet). undici refuses the rest deep in the send, which came back as
// UPSTREAM_UNAVAILABLE for what is the caller's mistake, and a CR/LF let through would split the request.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function checkHeaders(pairs: [string, string][]): [string, string][] {
  for (const [name, value] of pairs) {
    const shown = JSON.stringify(name.slice(0, 100));
    if (!HEADER_NAME.test(name))
      throw new AppError('BAD_USER_INPUT', `headers.${shown}: is not a valid header name`, {
        field: 'headers',
      });
    if (BAD_HEADER_VALUE.test(value))
      throw new AppError(
        'BAD_USER_INPUT',
        `headers.${shown}: the value contains a line break, NUL or another character a header cannot carry`,
        { field: 'headers' },
      );
  }
  return pairs;
}

/** Checks and normalises the caller's input; every mistake is a BAD_USER_INPUT naming its field. */
export function parseInvocation(input: InvocationInput): ParsedInvocation {
  const method = input.method.toUpperCase();
  if (!METHODS.includes(method))
    throw new AppError('BAD_USER_INPUT', `method: must be one of ${METHODS.join(', ')}`, {
      field: 'method',
    });
  const headers = requestHeaders(checkHeaders(stringMap('headers', input.headers, false)));
  const query = stringMap('query', input.query, true);
  const { body, bytes } = parseContent(input, method, headers, query);
  // Streamed bytes cannot take credentials appended: declaring them opaque (RFC 9110 8.3) makes FORM_DATA
  // credentials travel in the query instead of a form body that would be dropped for the stream.
  if ((input.stream || bytes) && !headers['content-type'])
    headers['content-type'] = 'application/octet-stream';
  return { method, url: input.url, query, headers, body, bytes, stream: input.stream };
}

// RFC 9110 9.3.1, 9.3.2 and 9.3.5: content in a GET, HEAD or DELETE request has no defined meaning (servers
// and intermediaries may refuse it): a form there travels in the query string, and files cannot travel.
const NO_BODY = new Set(['GET', 'HEAD', 'DELETE']);

/** The body of the call: a text body or an encoded form (`body`), or bytes (binary, multipart). */
function parseContent(
  input: InvocationInput,
  method: string,
  headers: Record<string, string>,
  query: [string, string][],
): { body?: string; bytes?: Buffer } {
  const files = input.files?.length ? input.files : undefined;
  if (input.body != null && (input.form != null || files))
    throw new AppError('BAD_USER_INPUT', 'body and form: send one or the other', { field: 'form' });
  if (input.bodyBase64 != null && (input.body != null || input.form != null || files))
    throw new AppError('BAD_USER_INPUT', 'bodyBase64: send it alone, without body, form or files', {
      field: 'bodyBase64',
    });
  if (input.contentType != null)
    headers['content-type'] = checkHeaders([['content-type', input.contentType]])[0]![1];
  if (files) {
    if (NO_BODY.has(method))
      throw new AppError('BAD_USER_INPUT', `files: a ${method} request carries no body`, { field: 'files' });
    const multipart = multipartBody(stringMap('form', input.form, true), files);
    headers['content-type'] = multipart.contentType;
    return { bytes: multipart.bytes };
  }
  if (input.form != null) {
    const form = stringMap('form', input.form, true);
    if (NO_BODY.has(method)) {
      query.push(...form);
      return {};
    }
    // A form is encoded here, once, so every auth type sends it the same way (RFC 3986 encoding, as the
    // OAuth 1.0a signature and FORM_DATA credentials append to it); a map left to undici would be refused.
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return { body: form.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&') };
  }
  if (input.bodyBase64 != null) return { bytes: decodeBase64('bodyBase64', input.bodyBase64) };
  const body = input.body ?? undefined;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only a long string is measured.
  const size = typeof body === 'string' && body.length * 3 > MAX_REQUEST_BYTES ? Buffer.byteLength(body) : 0;
  if ((Buffer.isBuffer(body) ? body.length : size) > MAX_REQUEST_BYTES)
    throw payloadTooLarge(Buffer.isBuffer(body) ? body.length : size);
  return Buffer.isBuffer(body) ? { bytes: body } : { body };
}

/** The parsed request aimed at the service: its URL resolved against the API base URL, the query appended. */
export function prepareRequest(parsed: ParsedInvocation, apiBaseUrl: string | undefined): PreparedRequest {
  const url = resolveUrl(parsed.url, apiBaseUrl);
  for (const [k, v] of parsed.query) url.searchParams.append(k, v);
  const { method, headers, body, bytes, stream } = parsed;
  return { request: { method, url: url.toString(), headers, body }, bytes, stream };
}

const badUrl = (message: string) => new AppError('BAD_USER_INPUT', `url: ${message}`, { field: 'url' });

/**
 * The caller's URL: absolute, or a path relative to the API base URL (leading slashes included: `/users` is
 * `<base>/users`). A base URL with a path confines calls under it: a relative path that climbs out once
 * normalised (`..`, `%2e%2e`, a backslash), or once a server decodes it (`..%2f`, `..;`), is the caller's
 * mistake. An absolute URL elsewhere is left to `authenticate`, which refuses any target outside the base
 * URLs, by origin and by path, with HOST_NOT_ALLOWED before a byte is sent.
 */
function resolveUrl(raw: string, apiBaseUrl: string | undefined): URL {
  const relative = !/^[a-z][a-z0-9+.-]*:/i.test(raw);
  const base = apiBaseUrl && !apiBaseUrl.endsWith('/') ? `${apiBaseUrl}/` : apiBaseUrl;
  let url: URL;
  try {
    url = relative ? new URL(raw.replace(/^\/+/, ''), base) : new URL(raw);
  } catch {
    throw badUrl(`"${raw.slice(0, 200)}" is not a URL, nor a path under the service's API base URL`);
  }
  // The URL as parsed, not its text: one parse fewer on every call.
  if (relative && urlRefusal({ apiBaseUrls: [base!] }, url))
    throw badUrl(`"${raw.slice(0, 200)}" climbs out of the API base URL ${base}`);
  return url;
}
