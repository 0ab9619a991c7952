import {
  attemptsLabel,
  displayBody,
  formFields,
  MAX_REQUEST_BYTES,
  rateLimitSummary,
  requestProblem,
  toBase64,
  toInvokeInput,
  type RequestDraft,
} from './tryRequest';

const draft = (over: Partial<RequestDraft> = {}): RequestDraft => ({
  method: 'GET',
  url: '/me',
  headers: [{ name: '', value: '' }],
  body: '',
  ...over,
});

test('a GET sends no body and no empty headers', () => {
  expect(toInvokeInput('github', draft({ body: 'ignored' }))).toEqual({
    connection: 'github',
    method: 'GET',
    url: '/me',
    headers: undefined,
    body: undefined,
  });
});

test('a JSON body gets a JSON content type unless one is given', () => {
  expect(toInvokeInput('x', draft({ method: 'POST', body: ' {"a":1}' })).headers).toEqual({
    'content-type': 'application/json',
  });
  expect(
    toInvokeInput(
      'x',
      draft({ method: 'PUT', body: 'a=1', headers: [{ name: 'Content-Type', value: 'text/csv' }] }),
    ).headers,
  ).toEqual({ 'Content-Type': 'text/csv' });
});

test('an empty URL means the base URL itself', () => {
  expect(toInvokeInput('x', draft({ url: '  ' })).url).toBe('/');
});

test('an invalid header name is caught before sending', () => {
  expect(requestProblem(draft({ headers: [{ name: 'X Bad', value: '1' }] }))).toMatch(
    /not a valid header name/,
  );
  expect(requestProblem(draft({ headers: [{ name: 'X-Good', value: '1' }] }))).toBeNull();
});

test('response bodies: pretty JSON, text as is, binary described', () => {
  expect(displayBody('{"a":[1]}', false, { 'content-type': 'application/json' })).toEqual({
    text: '{\n  "a": [\n    1\n  ]\n}',
    kind: 'json',
  });
  expect(displayBody('{not json', false, { 'content-type': 'application/json' }).kind).toBe('text');
  expect(displayBody('AAEC', true, {})).toEqual({ text: '3 bytes of binary data (base64)', kind: 'binary' });
});

describe('files', () => {
  const file = {
    field: 'upload',
    filename: 'a.png',
    contentType: 'image/png',
    contentBase64: 'iVBO',
    size: 3,
  };

  test('with files the body is multipart: the files, and the text area as form fields', () => {
    const input = toInvokeInput(
      'x',
      draft({ method: 'POST', body: 'note=hi\n\ntag=a\ntag=b=c', files: [file] }),
    );
    expect(input.body).toBeUndefined();
    expect(input.form).toEqual({ note: ['hi'], tag: ['a', 'b=c'] });
    expect(input.files).toEqual([
      { field: 'upload', filename: 'a.png', contentType: 'image/png', contentBase64: 'iVBO' },
    ]);
    // Files on a GET are not sent (the panel offers no body there).
    expect(toInvokeInput('x', draft({ files: [file] })).files).toBeUndefined();
  });

  test('no fields: no form', () => {
    expect(formFields('  \n')).toBeUndefined();
  });

  test('files past the limit are a problem before sending', () => {
    expect(
      requestProblem(draft({ method: 'POST', files: [{ ...file, size: MAX_REQUEST_BYTES + 1 }] })),
    ).toMatch(/past the 10 MiB limit/);
    expect(requestProblem(draft({ method: 'POST', files: [file] }))).toBeNull();
  });

  test('base64 of bytes, large ones included', () => {
    expect(toBase64(new Uint8Array([0, 255, 99, 97, 102]))).toBe(
      Buffer.from([0, 255, 99, 97, 102]).toString('base64'),
    );
    const big = new Uint8Array(200_000).map((_, i) => i % 256);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });
});

test('attempts are shown only when the call was retried', () => {
  expect(attemptsLabel(1)).toBeNull();
  expect(attemptsLabel(3)).toBe('3 attempts');
});

test('rate-limit figures in a line', () => {
  expect(rateLimitSummary(null)).toBeNull();
  expect(rateLimitSummary({ limit: null, remaining: null, resetAt: null })).toBeNull();
  expect(rateLimitSummary({ limit: 5000, remaining: 4999, resetAt: null }, 'en-US')).toBe(
    '4,999 of 5,000 left',
  );
  expect(rateLimitSummary({ remaining: 7 }, 'en-US')).toBe('7 left');
  expect(rateLimitSummary({ limit: 100, resetAt: '2026-01-01T12:00:00Z' }, 'en-US')).toMatch(
    /^limit 100, resets at \d/,
  );
});

test('retry is asked for idempotent methods only', () => {
  expect(toInvokeInput('x', draft({ retry: true })).retry).toEqual({ attempts: 3 });
  expect(toInvokeInput('x', draft({ method: 'PUT', retry: true, files: [] })).retry).toEqual({ attempts: 3 });
  expect(toInvokeInput('x', draft({ method: 'POST', retry: true })).retry).toBeUndefined();
  expect(toInvokeInput('x', draft({ retry: false })).retry).toBeUndefined();
});
