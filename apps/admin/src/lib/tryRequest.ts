import type { InvokeUrlInput } from '../generated/graphql';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

export interface HeaderRow {
  name: string;
  value: string;
}

/** A file picked for a multipart body, already read (the API takes it base64-encoded). */
export interface DraftFile {
  field: string;
  filename: string;
  contentType: string;
  contentBase64: string;
  size: number;
}

export interface RequestDraft {
  method: Method;
  url: string;
  headers: HeaderRow[];
  /** The raw body; with files, the form fields beside them, one `name=value` per line. */
  body: string;
  files?: DraftFile[];
  /** Retry on 429, 502, 503 and 504 (up to 3 attempts): offered for idempotent methods only. */
  retry?: boolean;
}

// The API retries only idempotent methods unless told otherwise (RFC 9110 9.2.2): the panel offers no more.
export const canRetry = (m: Method) => m === 'GET' || m === 'PUT' || m === 'DELETE';
export const RETRY_ATTEMPTS = 3;

/** The API's limit on a request body (invokeUrl, in decoded bytes): 10 MiB. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** Bytes as base64, in slices (a spread of megabytes into String.fromCharCode overflows the stack). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The form fields written beside files: one `name=value` per line; blank lines skipped. */
export function formFields(text: string): Record<string, string[]> | undefined {
  const fields: Record<string, string[]> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    const name = (at < 0 ? line : line.slice(0, at)).trim();
    if (name) (fields[name] ??= []).push(at < 0 ? '' : line.slice(at + 1));
  }
  return Object.keys(fields).length ? fields : undefined;
}

export const hasBody = (m: Method) => m === 'POST' || m === 'PUT' || m === 'PATCH';

/** The invokeUrl input for a draft; a JSON-looking body without a content type gets application/json. */
export function toInvokeInput(linkName: string, d: RequestDraft): InvokeUrlInput {
  const headers: Record<string, string> = {};
  for (const h of d.headers) if (h.name.trim()) headers[h.name.trim()] = h.value;
  const retry = d.retry && canRetry(d.method) ? { retry: { attempts: RETRY_ATTEMPTS } } : {};
  if (hasBody(d.method) && d.files?.length)
    return {
      connection: linkName,
      method: d.method,
      url: d.url.trim() || '/',
      headers: Object.keys(headers).length ? headers : undefined,
      ...retry,
      form: formFields(d.body),
      files: d.files.map(({ field, filename, contentType, contentBase64 }) => ({
        field,
        filename,
        contentType: contentType || undefined,
        contentBase64,
      })),
    };
  const body = hasBody(d.method) && d.body ? d.body : undefined;
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    const t = body.trim();
    headers['content-type'] = t.startsWith('{') || t.startsWith('[') ? 'application/json' : 'text/plain';
  }
  return {
    connection: linkName,
    method: d.method,
    url: d.url.trim() || '/',
    headers: Object.keys(headers).length ? headers : undefined,
    body,
    ...retry,
  };
}

/** A problem with the draft worth showing before sending, or null. */
export function requestProblem(d: RequestDraft): string | null {
  const names = d.headers.map((h) => h.name.trim()).filter(Boolean);
  const bad = names.find((n) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n));
  if (bad) return `"${bad}" is not a valid header name.`;
  const size = hasBody(d.method) ? (d.files ?? []).reduce((n, f) => n + f.size, 0) : 0;
  if (size > MAX_REQUEST_BYTES)
    return `The files come to ${(size / 1024 / 1024).toFixed(1)} MiB, past the 10 MiB limit.`;
  return null;
}

/** The response body for display: pretty JSON when it parses, the text otherwise. */
export function displayBody(
  body: string,
  bodyBase64: boolean,
  headers: Record<string, unknown>,
): { text: string; kind: 'json' | 'text' | 'binary' } {
  if (bodyBase64)
    return { text: `${Math.floor((body.length * 3) / 4)} bytes of binary data (base64)`, kind: 'binary' };
  const type = String(headers['content-type'] ?? '');
  if (type.includes('json') || /^\s*[{[]/.test(body)) {
    try {
      return { text: JSON.stringify(JSON.parse(body), null, 2), kind: 'json' };
    } catch {
      // Not JSON after all: show it as it came.
    }
  }
  return { text: body, kind: 'text' };
}

export function statusTone(status: number): 'success' | 'warning' | 'danger' {
  if (status < 300) return 'success';
  if (status < 500) return 'warning';
  return 'danger';
}

export interface RateLimitFigures {
  limit?: number | null;
  remaining?: number | null;
  resetAt?: string | null;
}

/** The provider's rate-limit figures in a line ("4,999 of 5,000 left, resets at 12:00:00"), or null. */
export function rateLimitSummary(r: RateLimitFigures | null | undefined, locale?: string): string | null {
  if (!r || (r.limit == null && r.remaining == null && !r.resetAt)) return null;
  const n = (v: number) => v.toLocaleString(locale);
  const parts: string[] = [];
  if (r.remaining != null && r.limit != null) parts.push(`${n(r.remaining)} of ${n(r.limit)} left`);
  else if (r.remaining != null) parts.push(`${n(r.remaining)} left`);
  else if (r.limit != null) parts.push(`limit ${n(r.limit)}`);
  if (r.resetAt) parts.push(`resets at ${new Date(r.resetAt).toLocaleTimeString(locale)}`);
  return parts.join(', ');
}

/** "3 attempts" when the call was retried; nothing for the usual single attempt. */
export const attemptsLabel = (attempts: number | undefined): string | null =>
  attempts && attempts > 1 ? `${attempts} attempts` : null;
