import { displayBody, requestProblem, toInvokeInput, type RequestDraft } from './tryRequest';

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
