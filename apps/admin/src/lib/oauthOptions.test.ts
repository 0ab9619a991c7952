import { formatAuthorizeParams, parseAuthorizeParams } from './oauthOptions';

test('authorize parameters: name=value lines to a map and back', () => {
  const text = 'access_type=offline\n\n  prompt = consent  \naudience=https://api.example.com/?a=b';
  const parsed = parseAuthorizeParams(text);
  expect(parsed).toEqual({
    params: { access_type: 'offline', prompt: 'consent', audience: 'https://api.example.com/?a=b' },
    error: null,
  });
  expect(formatAuthorizeParams(parsed.params)).toBe(
    'access_type=offline\nprompt=consent\naudience=https://api.example.com/?a=b',
  );
  expect(parseAuthorizeParams('')).toEqual({ params: {}, error: null });
  expect(formatAuthorizeParams(null)).toBe('');
});

test('authorize parameters: what the API would refuse is caught, naming the line', () => {
  expect(parseAuthorizeParams('prompt').error).toBe('Line 1: write name=value, e.g. prompt=consent.');
  expect(parseAuthorizeParams('a=1\nstate=x').error).toBe('Line 2: state is set by the flow itself.');
  expect(parseAuthorizeParams('Redirect_URI=x').error).toContain('set by the flow itself');
  expect(parseAuthorizeParams('prompt=').error).toBe('Line 1: prompt needs a value.');
  expect(parseAuthorizeParams('a b=1').error).toContain('must be letters');
  expect(parseAuthorizeParams('a=1\na=2').error).toBe('Line 2: a is given twice.');
});
