import type { InvokeUrlInput } from '../generated/graphql';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

export interface HeaderRow {
  name: string;
  value: string;
}

export interface RequestDraft {
  method: Method;
  url: string;
  headers: HeaderRow[];
  body: string;
}

export const hasBody = (m: Method) => m === 'POST' || m === 'PUT' || m === 'PATCH';

/** The invokeUrl input for a draft; a JSON-looking body without a content type gets application/json. */
export function toInvokeInput(linkName: string, d: RequestDraft): InvokeUrlInput {
  const headers: Record<string, string> = {};
  for (const h of d.headers) if (h.name.trim()) headers[h.name.trim()] = h.value;
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
  };
}

/** A problem with the draft worth showing before sending, or null. */
export function requestProblem(d: RequestDraft): string | null {
  const names = d.headers.map((h) => h.name.trim()).filter(Boolean);
  const bad = names.find((n) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n));
  if (bad) return `"${bad}" is not a valid header name.`;
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
