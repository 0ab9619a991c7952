import { request as undiciRequest, type Dispatcher } from 'undici';
import { AuthFlowError } from '../errors';
import type { ClientCredentials, Credentials, OutgoingRequest, ServiceDefinition } from '../types';
import { authenticate } from './authenticate';

export interface TestCredentialsOptions {
  /** Default 10 s: a test request is meant to be cheap. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export type TestCredentialsResult =
  { ok: true; status: number } | { ok: false; status?: number; error: AuthFlowError };

/** The service's test request as a plain request; a relative URL resolves against the first API base URL as a browser would. */
export function buildTestRequest(service: ServiceDefinition): OutgoingRequest | undefined {
  const test = service.testRequest;
  if (!test) return undefined;
  const base = service.apiBaseUrls[0];
  const url = /^[a-z][a-z0-9+.-]*:/i.test(test.url)
    ? test.url
    : base
      ? new URL(test.url, base).toString()
      : undefined;
  if (!url) return undefined;
  return {
    method: test.method.toUpperCase(),
    url,
    headers: { accept: 'application/json', ...(test.headers ?? {}) },
  };
}

/**
 * Performs the service's cheap test request with the credentials. Resolves with ok false (never throws)
 * for a rejected credential or an unreachable service; throws only when the service defines no test.
 * Redirects are not followed: a credential is never replayed to a host it was not meant for.
 */
export async function testCredentials(
  credentials: Credentials,
  service: ServiceDefinition,
  client?: ClientCredentials,
  options: TestCredentialsOptions = {},
): Promise<TestCredentialsResult> {
  const plain = buildTestRequest(service);
  if (!plain) throw new AuthFlowError('INVALID_SERVICE', `${service.displayName} defines no test request`);
  let signed: OutgoingRequest;
  try {
    // The URL comes from the service definition, like its API hosts, so it may sit on another host
    // (an identity endpoint next to the API).
    signed = authenticate(plain, credentials, service, client, { allowAnyHost: true });
  } catch (error) {
    if (error instanceof AuthFlowError) return { ok: false, error };
    throw error;
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  try {
    const response = await undiciRequest(signed.url, {
      method: signed.method as Dispatcher.HttpMethod,
      headers: signed.headers,
      body: typeof signed.body === 'string' ? signed.body : undefined,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher: options.dispatcher,
    });
    await response.body.dump();
    const expected = service.testRequest?.expectStatus;
    const ok = expected
      ? expected.includes(response.statusCode)
      : response.statusCode >= 200 && response.statusCode < 300;
    if (ok) return { ok: true, status: response.statusCode };
    const transient = response.statusCode >= 500 || response.statusCode === 429;
    return {
      ok: false,
      status: response.statusCode,
      error: new AuthFlowError(
        transient ? 'UPSTREAM_UNAVAILABLE' : 'INVALID_CREDENTIALS',
        `${service.displayName} answered the test request with HTTP ${response.statusCode}`,
        { status: response.statusCode, transient },
      ),
    };
  } catch (cause) {
    return {
      ok: false,
      error: new AuthFlowError(
        'UPSTREAM_UNAVAILABLE',
        `${service.displayName} could not be reached for the test request`,
        { transient: true, cause },
      ),
    };
  }
}
