import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const patch = require(join(__dirname, '../../scripts/patch-request-oauth.cjs')) as {
  patchSource(source: string): { status: 'patched' | 'already-patched' | 'unknown-shape'; source: string };
  locate(): string;
  MARKER: string;
};

// The two lines of request-oauth 1.0.1 that build the URL to sign, as shipped.
const SHIPPED = [
  'var uri = url.parse(',
  '    `${options.protocol}//${options.hostname}${options.path}`',
  "      + (options.port ? `:${options.port}` : '')",
  '  )',
].join('\n');

describe('scripts/patch-request-oauth.cjs', () => {
  it('rewrites the shipped expression to sign the port before the path, once', () => {
    const first = patch.patchSource(SHIPPED);
    expect(first.status).toBe('patched');
    expect(first.source).toContain(patch.MARKER);
    const sign = (options: { protocol: string; hostname: string; port: number | null; path: string }) =>
      new Function(
        'options',
        `return ${first.source.slice(first.source.indexOf('`'), first.source.lastIndexOf(patch.MARKER))}`,
      )(options) as string;
    expect(sign({ protocol: 'http:', hostname: 'h', port: 8080, path: '/p?q=1' })).toBe(
      'http://h:8080/p?q=1',
    );
    expect(sign({ protocol: 'https:', hostname: 'h', port: 443, path: '/p' })).toBe('https://h/p');
    expect(sign({ protocol: 'https:', hostname: 'h', port: null, path: '/p' })).toBe('https://h/p');
    expect(patch.patchSource(first.source).status).toBe('already-patched');
  });

  it('leaves an unknown shape alone', () => {
    expect(patch.patchSource('module.exports = 1').status).toBe('unknown-shape');
  });

  it('has been applied to the installed request-oauth', () => {
    expect(readFileSync(patch.locate(), 'utf8')).toContain(patch.MARKER);
  });
});
