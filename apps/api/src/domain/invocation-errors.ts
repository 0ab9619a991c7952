import { AuthFlowError } from '@connections/auth-flows';
import { AppError } from '../errors';
import { AddressNotAllowedError } from '../net/guard';

/** Our errors pass; protocol, network and timeout errors become clear codes. Never a credential. */
export function translateInvocationError(error: unknown, timeoutMs: number): unknown {
  if (error instanceof AppError) return error;
  if (
    error instanceof AddressNotAllowedError ||
    (error instanceof Error && (error.cause as { code?: string })?.code === 'HOST_NOT_ALLOWED')
  )
    return new AppError(
      'HOST_NOT_ALLOWED',
      (error instanceof AddressNotAllowedError ? error : (error.cause as Error)).message,
    );
  if (error instanceof AuthFlowError) {
    if (error.code === 'HOST_NOT_ALLOWED') return new AppError('HOST_NOT_ALLOWED', error.message);
    if (error.code === 'INVALID_CREDENTIALS' || error.code === 'INVALID_SERVICE')
      return new AppError('BAD_USER_INPUT', error.message);
    return new AppError('UPSTREAM_UNAVAILABLE', error.message);
  }
  const e = error as Error & { name?: string; code?: string };
  if (
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    e?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e?.code === 'UND_ERR_BODY_TIMEOUT'
  )
    return new AppError('UPSTREAM_TIMEOUT', `The upstream did not answer within ${timeoutMs} ms.`);
  if (
    e?.code?.startsWith('UND_ERR') ||
    e?.code === 'ECONNREFUSED' ||
    e?.code === 'ENOTFOUND' ||
    e?.code === 'ECONNRESET'
  )
    return new AppError('UPSTREAM_UNAVAILABLE', `The upstream could not be reached (${e.code}).`);
  return error;
}

/** The outcome recorded for an error: the code the caller gets, or ERROR for an unexpected one. */
export const outcomeOf = (translated: unknown): string =>
  translated instanceof AppError ? translated.code : 'ERROR';
