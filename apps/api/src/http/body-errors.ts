/** What a caller is told about a request body that could not be read, whichever route read it. */
export interface BodyError {
  status: number;
  code: 'BAD_REQUEST' | 'INTERNAL_SERVER_ERROR';
  message: string;
  /** Not the caller's doing (not a 4xx): worth logging. */
  unexpected: boolean;
}

/**
 * body-parser's errors (malformed JSON, over the size limit, a bad charset) carry a 4xx `status` and a `type`:
 * each gets a fixed message. body-parser's own message is never echoed: it quotes the body, which may hold a
 * secret. Anything else is an internal error, without its message.
 */
export function bodyErrorOf(err: unknown): BodyError {
  const { status, type } = (err ?? {}) as { status?: unknown; type?: unknown };
  if (!(typeof status === 'number' && status >= 400 && status < 500))
    return {
      status: 500,
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Internal server error.',
      unexpected: true,
    };
  const message =
    type === 'entity.parse.failed'
      ? 'The request body is not valid JSON.'
      : type === 'entity.too.large'
        ? 'The request body is too large.'
        : 'The request could not be read.';
  return { status, code: 'BAD_REQUEST', message, unexpected: false };
}
