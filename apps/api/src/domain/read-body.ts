import { AppError } from '../errors';

const TEXTUAL =
  /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded|graphql)|image\/svg\+xml)/i;

/** Whether a body of this content type can be returned as text (otherwise it is base64-encoded). */
export function isTextual(contentType: string | string[] | undefined): boolean {
  const ct = Array.isArray(contentType) ? contentType[0] : contentType;
  return !ct || TEXTUAL.test(ct.trim());
}

/**
 * Reads a response body up to `limit` bytes; past that it stops reading, destroys the stream (the socket is
 * not kept waiting) and refuses with RESPONSE_TOO_LARGE.
 */
export async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(e?: Error): void },
  limit: number,
  declared?: string | string[],
): Promise<Buffer> {
  const length = Number(Array.isArray(declared) ? declared[0] : declared);
  const tooLarge = () =>
    new AppError('RESPONSE_TOO_LARGE', `The upstream response is larger than the ${limit}-byte limit.`);
  if (Number.isFinite(length) && length > limit) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
