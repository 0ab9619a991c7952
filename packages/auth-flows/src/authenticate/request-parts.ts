import type { FormBody, OutgoingRequest } from '../types';
import { encodePairs, parseFormPairs } from '../sign/percent';

export type Pair = [string, string];

const FORM_TYPE = 'application/x-www-form-urlencoded';
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];

export function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

/** A copy with `name` set once, whatever the case of an existing entry: a credential always wins. */
export function withHeader(
  headers: Record<string, string>,
  name: string,
  value: string,
): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, existing] of Object.entries(headers))
    if (key.toLowerCase() !== name.toLowerCase()) copy[key] = existing;
  copy[name] = value;
  return copy;
}

function isForm(body: OutgoingRequest['body']): body is FormBody {
  return body !== undefined && typeof body !== 'string';
}

function formToPairs(body: FormBody): Pair[] {
  if (body instanceof URLSearchParams) return [...body];
  const pairs: Pair[] = [];
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) pairs.push([name, String(item)]);
  }
  return pairs;
}

/**
 * The decoded parameters of a single-part form body, or undefined when the body is something else
 * (JSON, multipart, raw text). Only such a body takes part in OAuth 1.0a signatures (RFC 5849 3.4.1.3.1).
 */
export function formPairs(request: OutgoingRequest): Pair[] | undefined {
  const type = findHeader(request.headers, 'content-type');
  if (isForm(request.body)) return formToPairs(request.body);
  if (typeof request.body === 'string') {
    return type !== undefined && type.toLowerCase().startsWith(FORM_TYPE)
      ? parseFormPairs(request.body)
      : undefined;
  }
  return undefined;
}

/**
 * Whether parameters can travel in the body: an existing form body, or no body at all on a method that
 * carries one and no other declared content type. Otherwise FORM_DATA credentials fall back to the
 * query string, the transport RFC 5849 3.5 and RFC 6750 2 allow when a form body is impossible.
 */
export function canUseFormBody(request: OutgoingRequest): boolean {
  if (formPairs(request) !== undefined) return true;
  const type = findHeader(request.headers, 'content-type');
  return (
    request.body === undefined && type === undefined && BODY_METHODS.includes(request.method.toUpperCase())
  );
}

/** The request with extra pairs appended to its form body, which is returned encoded. */
export function withFormParams(request: OutgoingRequest, extra: readonly Pair[]): OutgoingRequest {
  const addition = encodePairs(extra);
  let body: string;
  if (typeof request.body === 'string' && request.body !== '') body = `${request.body}&${addition}`;
  else if (isForm(request.body))
    body = [encodePairs(formToPairs(request.body)), addition].filter(Boolean).join('&');
  else body = addition;
  const headers =
    findHeader(request.headers, 'content-type') === undefined
      ? withHeader(request.headers, 'Content-Type', FORM_TYPE)
      : request.headers;
  return { ...request, headers, body };
}

/** A form body given as a map or URLSearchParams, encoded, so what is signed is exactly what is sent. */
export function withEncodedForm(request: OutgoingRequest): OutgoingRequest {
  if (!isForm(request.body)) return request;
  return withFormParams({ ...request, body: undefined }, formToPairs(request.body));
}

/** Appends encoded pairs to the query without re-encoding what is already there. */
export function withQueryParams(url: string, extra: readonly Pair[]): string {
  const parsed = new URL(url);
  const addition = encodePairs(extra);
  const hash = parsed.hash;
  parsed.hash = '';
  const base = parsed.toString();
  const joined = parsed.search === '' ? `${base.replace(/\?$/, '')}?${addition}` : `${base}&${addition}`;
  return joined + hash;
}
