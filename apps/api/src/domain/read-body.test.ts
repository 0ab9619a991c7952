import { Readable } from 'node:stream';
import { AppError } from '../errors';
import { readLimited } from './read-body';

const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));
const code = (error: unknown) => (error instanceof AppError ? error.code : (error as { code?: string }).code);

describe('readLimited', () => {
  test('reads every chunk, in order', async () => {
    expect((await readLimited(chunks('ab', 'cd', 'é'), 100)).toString()).toBe('abcdé');
    expect((await readLimited(chunks(), 100)).length).toBe(0);
  });

  test('a declared length past the limit is refused before a byte is read, the stream destroyed', async () => {
    const body = chunks('abc');
    await expect(readLimited(body, 2, '3')).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    expect(body.destroyed).toBe(true);
    // Within the limit, exactly at it included.
    expect((await readLimited(chunks('ab'), 2, ['2'])).toString()).toBe('ab');
  });

  test('a body of unknown length is counted: past the limit, RESPONSE_TOO_LARGE and the upstream destroyed', async () => {
    const body = chunks('abc', 'def', 'ghi');
    const error = await readLimited(body, 5).catch((e: unknown) => e);
    expect(code(error)).toBe('RESPONSE_TOO_LARGE');
    expect(body.destroyed).toBe(true);
  });

  test('the stream’s own error, or an end before the end', async () => {
    const broken = new Readable({ read() {} });
    const reading = readLimited(broken, 100);
    broken.push('partial');
    broken.destroy(Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' }));
    expect(code(await reading.catch((e: unknown) => e))).toBe('UND_ERR_SOCKET');
    const cut = new Readable({ read() {} });
    const cutReading = readLimited(cut, 100);
    cut.destroy();
    expect(code(await cutReading.catch((e: unknown) => e))).toBe('ERR_STREAM_PREMATURE_CLOSE');
  });
});
