import type { Dispatcher } from 'undici';
import { connectionOptions } from './invocation-request';
import type { Exchange } from './invocation-attempts';
import { outcomeOf } from './invocation-errors';

export interface UpstreamReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Dispatcher.ResponseData['body'];
  /** The URL that gave this response: the request's, or where its redirects led. */
  url: string;
  /** How many attempts the call made (more than 1 only with `retry`). */
  attempts: number;
  startedAt: number;
  /** Call once the body has been consumed (or abandoned): records the audit event and metrics. */
  done(outcome?: string): void;
  /**
   * Call when reading the body failed: records the outcome by the error's code and returns the error to
   * throw (a timeout or network error while the body streams becomes UPSTREAM_TIMEOUT/UNAVAILABLE too).
   */
  fail(error: unknown): unknown;
}

const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
]);

export function responseHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = connectionOptions(raw);
  for (const k in raw) {
    const v = raw[k];
    if (v === undefined) continue;
    const lower = k.toLowerCase();
    if (!DROP_RESPONSE.has(lower) && !named.has(lower)) out[k] = v;
  }
  return out;
}

/**
 * The upstream's answer as the caller reads it; `finish` records the call's outcome, once, whichever of
 * `done` and `fail` comes first.
 */
export function upstreamReply(
  { response, url, attempts }: Exchange,
  startedAt: number,
  finish: (outcome: string) => void,
  translate: (error: unknown) => unknown,
): UpstreamReply {
  let finished = false;
  const done = (outcome = `${Math.floor(response.statusCode / 100)}xx`) => {
    if (finished) return;
    finished = true;
    finish(outcome);
  };
  return {
    status: response.statusCode,
    headers: responseHeaders(response.headers),
    body: response.body,
    url,
    attempts,
    startedAt,
    done,
    fail: (error) => {
      const translated = translate(error);
      done(outcomeOf(translated));
      return translated;
    },
  };
}
