import { AppError } from '../errors';
import { callOptions, retryDelayMs } from './invocation-options';
import { rateLimitOf } from './invocation-rate-limit';
import { decodeBody } from './read-body';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected a refusal');
};

describe('callOptions', () => {
  it('is undefined when the caller gave none: the common call does no work here', () => {
    expect(callOptions({}, 'GET', 40_000)).toBeUndefined();
    expect(
      callOptions({ followRedirects: false, timeoutMs: null, retry: null }, 'GET', 40_000),
    ).toBeUndefined();
  });

  it('takes the deployment maximum unless given less; above it, names the maximum', () => {
    expect(callOptions({ followRedirects: true }, 'GET', 40_000)).toEqual({
      timeoutMs: 40_000,
      followRedirects: true,
      retry: undefined,
    });
    expect(callOptions({ timeoutMs: 500 }, 'GET', 40_000)?.timeoutMs).toBe(500);
    const e = refusal(() => callOptions({ timeoutMs: 40_001 }, 'GET', 40_000));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toContain('40000');
  });

  it('retries idempotent methods by default statuses; others only with anyMethod', () => {
    const retry = callOptions({ retry: { attempts: 3 } }, 'DELETE', 1000)!.retry!;
    expect(retry.attempts).toBe(3);
    expect([...retry.onStatuses]).toEqual([429, 502, 503, 504]);
    expect(refusal(() => callOptions({ retry: { attempts: 2 } }, 'PATCH', 1000)).details).toEqual({
      field: 'retry',
    });
    expect(callOptions({ retry: { attempts: 2, anyMethod: true } }, 'POST', 1000)!.retry!.attempts).toBe(2);
    expect(refusal(() => callOptions({ retry: { attempts: 6 } }, 'GET', 1000)).details).toEqual({
      field: 'retry.attempts',
    });
    expect(
      refusal(() => callOptions({ retry: { attempts: 2, onStatuses: [200] } }, 'GET', 1000)).details,
    ).toEqual({ field: 'retry.onStatuses' });
  });
});

describe('retryDelayMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('honours Retry-After on 429 and 503, in seconds or as an HTTP date (RFC 9110 10.2.3)', () => {
    expect(retryDelayMs(2, 429, '3', now)).toBe(3000);
    expect(retryDelayMs(2, 503, 'Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryDelayMs(2, 503, 'Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('otherwise backs off exponentially with full jitter, capped', () => {
    for (let i = 0; i < 50; i++) {
      expect(retryDelayMs(2, 502, undefined)).toBeLessThan(250);
      expect(retryDelayMs(4, 500, '5')).toBeLessThan(1000); // Retry-After only counts on 429 and 503
      expect(retryDelayMs(30, 502, undefined)).toBeLessThan(10_000);
    }
  });
});

describe('rateLimitOf', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads X-RateLimit-Reset as a Unix time (s or ms) or as seconds from now', () => {
    const at = now / 1000 + 60;
    expect(rateLimitOf({ 'x-ratelimit-reset': String(at) }, now)?.resetAt?.getTime()).toBe(now + 60_000);
    expect(rateLimitOf({ 'x-ratelimit-reset': String(at * 1000) }, now)?.resetAt?.getTime()).toBe(
      now + 60_000,
    );
    expect(rateLimitOf({ 'x-ratelimit-reset': '60' }, now)?.resetAt?.getTime()).toBe(now + 60_000);
  });
  it('reads the IETF draft fields, matching the policy by name', () => {
    expect(
      rateLimitOf(
        { ratelimit: '"burst";r=2;t=1', 'ratelimit-policy': '"day";q=1000;w=86400, "burst";q=10;w=1' },
        now,
      ),
    ).toEqual({ limit: 10, remaining: 2, resetAt: new Date(now + 1000) });
    expect(rateLimitOf({ 'ratelimit-limit': '100, 100;w=60', 'ratelimit-remaining': '5' }, now)).toEqual({
      limit: 100,
      remaining: 5,
      resetAt: null,
    });
    expect(rateLimitOf({ 'content-type': 'text/plain' }, now)).toBeNull();
  });
});

describe('decodeBody', () => {
  it('decodes by the declared charset; UTF-8 by default; binary and unknown charsets as base64', () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    expect(decodeBody(latin1, 'text/html; charset=iso-8859-1')).toEqual({ body: 'café', bodyBase64: false });
    expect(decodeBody(Buffer.from('café'), 'application/json')).toEqual({ body: 'café', bodyBase64: false });
    const sjis = Buffer.from([0x93, 0xfa, 0x96, 0x7b]); // 日本 in Shift_JIS
    expect(decodeBody(sjis, 'text/plain;charset=Shift_JIS').body).toBe('日本');
    expect(decodeBody(latin1, 'application/pdf')).toEqual({
      body: latin1.toString('base64'),
      bodyBase64: true,
    });
    expect(decodeBody(latin1, 'text/plain; charset=nope').bodyBase64).toBe(true);
  });
});
