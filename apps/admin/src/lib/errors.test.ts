import { describeError, fieldErrorsOf } from './errors';

const gql = (message: string, extensions: Record<string, unknown>) => ({
  graphQLErrors: [{ message, extensions }],
});

describe('describeError', () => {
  test('plain words by code, not the server’s message', () => {
    expect(describeError(gql('whatever', { code: 'FORBIDDEN' }))?.message).toMatch(/permission/);
    expect(describeError(gql('x', { code: 'HOST_NOT_ALLOWED' }))?.message).toMatch(/outside the service/);
    expect(describeError(gql('x', { code: 'UPSTREAM_TIMEOUT' }))?.message).toMatch(/did not answer in time/);
    expect(describeError(gql('x', { code: 'SOMETHING_NEW' }))?.message).toMatch(/went wrong/);
  });

  test('BAD_USER_INPUT keeps the field and the reason without the field prefix', () => {
    expect(
      describeError(
        gql('authorizeUrl: must use http or https', { code: 'BAD_USER_INPUT', field: 'authorizeUrl' }),
      ),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'authorizeUrl',
      message: 'must use http or https',
      connectUrl: null,
    });
  });

  test('NEEDS_AUTHORIZATION carries where to connect', () => {
    expect(describeError(gql('x', { code: 'NEEDS_AUTHORIZATION', connectUrl: '/c' }))?.connectUrl).toBe('/c');
  });

  test('a network failure and no error', () => {
    expect(describeError({ graphQLErrors: [], networkError: new Error('x') })?.code).toBe('NETWORK');
    expect(describeError(undefined)).toBeNull();
  });
});

test('fieldErrorsOf collects every field, including validation problems', () => {
  const error = {
    graphQLErrors: [
      {
        message: 'connections[1].linkName: taken; name: too long',
        extensions: {
          code: 'BAD_USER_INPUT',
          field: 'connections[1].linkName',
          problems: [
            { field: 'connections[1].linkName', message: 'taken' },
            { field: 'name', message: 'too long' },
          ],
        },
      },
    ],
  };
  expect(fieldErrorsOf(error)).toEqual({ 'connections[1].linkName': 'taken', name: 'too long' });
});
