import { manifestFileName, manifestProblems, manifestText, parseManifest } from './extensionManifest';

const badInput = (message: string, extensions: Record<string, unknown>) => ({
  graphQLErrors: [{ message, extensions: { code: 'BAD_USER_INPUT', ...extensions } }],
});

describe('exported manifests', () => {
  test('are saved under the extension’s key and version', () => {
    expect(manifestFileName({ key: 'reporting', name: 'Reporting', version: '1.2.0' })).toBe(
      'reporting-1.2.0.extension.json',
    );
    expect(manifestFileName({ name: 'Sales & CRM!', version: null })).toBe('sales-crm.extension.json');
    expect(manifestFileName({ key: '', name: '***' })).toBe('extension.extension.json');
  });

  test('are written pretty-printed, with a final newline', () => {
    expect(manifestText({ a: 1 })).toBe('{\n  "a": 1\n}\n');
  });
});

describe('an uploaded manifest', () => {
  test('a JSON object is read, with what it says about itself', () => {
    const r = parseManifest(JSON.stringify({ name: 'Reporting', version: '2.0.0', connections: [{}, {}] }));
    expect(r).toMatchObject({ ok: true, summary: { name: 'Reporting', version: '2.0.0', connections: 2 } });
  });

  test('anything else is refused here, with the reason', () => {
    expect(parseManifest('{nope')).toMatchObject({ ok: false, message: /not valid JSON/ });
    expect(parseManifest('[1, 2]')).toMatchObject({ ok: false, message: /JSON object/ });
    expect(parseManifest('null')).toMatchObject({ ok: false, message: /JSON object/ });
    expect(parseManifest('{}', 2_000_000)).toMatchObject({ ok: false, message: /too large/ });
  });

  test('an object with unknown contents is left to the API', () => {
    expect(parseManifest('{"x": 1}')).toMatchObject({
      ok: true,
      summary: { name: null, version: null, connections: null },
    });
  });
});

describe('the problems the API found', () => {
  test('a field error is shown at its path in the document', () => {
    const e = badInput('manifest.connections.2.service.custom.accessTokenUrl: Enter an https URL.', {
      field: 'manifest.connections.2.service.custom.accessTokenUrl',
    });
    expect(manifestProblems(e)).toEqual([
      { path: 'connections.2.service.custom.accessTokenUrl', message: 'Enter an https URL.' },
    ]);
  });

  test('every problem of a list is shown, once each', () => {
    const e = badInput('The manifest has 2 problems.', {
      field: 'manifest',
      problems: [
        { field: 'manifest.formatVersion', message: 'Unsupported format version 9.' },
        { field: 'manifest.connections.0.linkName', message: 'Use a-z, 0-9 and _.' },
        { field: 'manifest.connections.0.linkName', message: 'Use a-z, 0-9 and _.' },
      ],
    });
    expect(manifestProblems(e)).toEqual([
      { path: 'formatVersion', message: 'Unsupported format version 9.' },
      { path: 'connections.0.linkName', message: 'Use a-z, 0-9 and _.' },
    ]);
  });

  test('an error about the whole document (an older version, a conflict) has an empty path', () => {
    const e = {
      graphQLErrors: [
        {
          message: 'Reporting 2.0.0 is installed; this manifest is 1.0.0.',
          extensions: { code: 'CONFLICT' },
        },
      ],
    };
    expect(manifestProblems(e)).toEqual([
      { path: '', message: 'Reporting 2.0.0 is installed; this manifest is 1.0.0.' },
    ]);
  });

  test('a network failure still says something', () => {
    expect(manifestProblems({ networkError: new Error('x'), graphQLErrors: [] })).toEqual([
      { path: '', message: expect.stringMatching(/could not be reached/) },
    ]);
    expect(manifestProblems(null)).toEqual([]);
  });
});
