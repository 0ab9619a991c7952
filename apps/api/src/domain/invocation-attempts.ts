import { type OutgoingRequest, type ServiceDefinition, urlRefusal } from '@connections/auth-flows';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { AppError } from '../errors';
import { type CallOptions, retryDelayMs } from './invocation-options';
import type { PreparedRequest } from './invocation-request';

/** What a call with options ends with: the last response, the URL that gave it, the attempts made. */
export interface Exchange {
  response: Dispatcher.ResponseData;
  url: string;
  attempts: number;
}

export interface AttemptPorts {
  /**
   * One request within `timeoutMs`: credentials applied when `signed` (the 401 refresh included), otherwise
   * only the service's hosts and the address policy checked.
   */
  send(prepared: PreparedRequest, signed: boolean, timeoutMs: number): Promise<Dispatcher.ResponseData>;
  /** An attempt that is retried: audited now (the last one is the call's own outcome). */
  retried(attempt: number, url: string, status: number): void;
}

export const MAX_HOPS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const timedOut = (ms: number) =>
  Object.assign(new Error(`The upstream did not answer within ${ms} ms.`), { name: 'TimeoutError' });

/**
 * The call with its options: every attempt follows redirects when asked, all of it within the call's time
 * limit; attempts are repeated on the caller's statuses while attempts and time remain.
 */
export async function attempt(
  prepared: PreparedRequest,
  options: CallOptions,
  ports: AttemptPorts,
  startedAt: number,
): Promise<Exchange> {
  const endsAt = startedAt + options.timeoutMs;
  const total = options.retry?.attempts ?? 1;
  for (let n = 1; ; n++) {
    const { response, url } = await follow(prepared, options, ports, endsAt);
    if (n >= total || !options.retry!.onStatuses.has(response.statusCode))
      return { response, url, attempts: n };
    const wait = retryDelayMs(n + 1, response.statusCode, response.headers['retry-after']);
    // A wait past the time limit would only end in UPSTREAM_TIMEOUT: the caller gets this answer instead.
    if (performance.now() + wait >= endsAt) return { response, url, attempts: n };
    await response.body.dump().catch(() => {});
    ports.retried(n, url, response.statusCode);
    if (wait > 0) await sleep(wait);
  }
}

/** One attempt, its redirects followed (at most MAX_HOPS) when the caller asked. */
async function follow(
  prepared: PreparedRequest,
  options: CallOptions,
  ports: AttemptPorts,
  endsAt: number,
): Promise<{ response: Dispatcher.ResponseData; url: string }> {
  const origin = new URL(prepared.request.url).origin;
  let current = prepared;
  for (let hop = 0; ; hop++) {
    const remaining = Math.floor(endsAt - performance.now());
    if (remaining <= 0) throw timedOut(options.timeoutMs);
    const url = current.request.url;
    // Credentials go only to the origin the caller named: a hop elsewhere (another of the service's hosts,
    // say a file CDN) gets the request without them, as browsers drop Authorization (Fetch 4.4, step 13).
    const response = await ports.send(current, new URL(url).origin === origin, remaining);
    const location = response.headers.location;
    const next = options.followRedirects
      ? redirected(current, response.statusCode, typeof location === 'string' ? location : undefined)
      : undefined;
    if (!next) return { response, url };
    await response.body.dump().catch(() => {});
    if (hop + 1 > MAX_HOPS)
      throw new AppError('UPSTREAM_UNAVAILABLE', `The upstream redirected more than ${MAX_HOPS} times.`);
    current = next;
  }
}

/**
 * The request a redirect asks for (RFC 9110 15.4), or undefined when it is not one to follow: 303 turns the
 * method into GET (HEAD stays), 301 and 302 turn a POST into GET as every user agent does (15.4.2, 15.4.3),
 * 307 and 308 repeat the request as it was. The new target is checked on sending, like the first.
 */
export function redirected(
  prepared: PreparedRequest,
  status: number,
  location: string | undefined,
): PreparedRequest | undefined {
  if (!REDIRECTS.has(status) || !location) return undefined;
  let target: URL;
  try {
    target = new URL(location, prepared.request.url);
  } catch {
    return undefined;
  }
  target.hash = '';
  const { request } = prepared;
  const toGet =
    (status === 303 && request.method !== 'GET' && request.method !== 'HEAD') ||
    ((status === 301 || status === 302) && request.method === 'POST');
  if (!toGet) {
    // A streamed body is gone once sent: such a redirect goes back to the caller.
    if (prepared.stream) return undefined;
    return { ...prepared, request: { ...request, url: target.toString() } };
  }
  const headers: Record<string, string> = {};
  // The body and what describes it stay behind (RFC 9110 15.4, "remove content-specific header fields").
  for (const [k, v] of Object.entries(request.headers)) if (!k.startsWith('content-')) headers[k] = v;
  return { request: { method: 'GET', url: target.toString(), headers } };
}

/** A request that goes without credentials (a redirect to another origin): still only to the service's hosts. */
export function withinHosts(request: OutgoingRequest, definition: ServiceDefinition): OutgoingRequest {
  const refusal = urlRefusal(definition, request.url);
  if (refusal) throw new AppError('HOST_NOT_ALLOWED', `${definition.displayName}: ${refusal}`);
  return request;
}
