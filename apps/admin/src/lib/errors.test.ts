import {
  CONNECTION_FORM_FIELDS,
  SERVICE_CLIENT_FORM_FIELDS,
  describeError,
  fieldErrorsOf,
  placeErrors,
  unplacedErrors,
} from './errors';

const gql = (message: string, extensions: Record<string, unknown>) => ({
  graphQLErrors: [{ message, extensions }],
});

describe('describeError', () => {
  test('the server’s own message is shown as sent, with a hint from the code', () => {
    const forbidden = describeError(
      gql(
        "Only the owner of this connection or an admin can authorize it: it uses the owner's credentials.",
        {
          code: 'FORBIDDEN',
        },
      ),
    );
    expect(forbidden?.message).toMatch(/^Only the owner of this connection/);
    expect(forbidden?.hint).toMatch(/admin/);
    // The sandbox refused on an IP PUBLIC_URL: the precise reason, not a guess about base URLs.
    const host = describeError(
      gql(
        '127.0.0.1:4000 is not reachable from here: 127.0.0.1 is a private, loopback, link-local or reserved address.',
        {
          code: 'HOST_NOT_ALLOWED',
        },
      ),
    );
    expect(host?.message).toMatch(/^127\.0\.0\.1:4000 is not reachable from here/);
    expect(host?.hint).toBeNull();
    const limited = describeError(
      gql('Too many attempts: try again in 30 seconds.', { code: 'RATE_LIMITED' }),
    );
    expect(limited?.message).toBe('Too many attempts: try again in 30 seconds.');
    expect(describeError(gql('x', { code: 'UPSTREAM_TIMEOUT' }))?.hint).toMatch(/again/);
  });

  test('internal errors and empty messages get plain words', () => {
    expect(describeError(gql('Internal server error.', { code: 'INTERNAL_SERVER_ERROR' }))?.message).toMatch(
      /went wrong on the server/,
    );
    expect(describeError(gql('', { code: 'SOMETHING_NEW' }))?.message).toMatch(/went wrong/);
    expect(describeError(gql('A newer server says so.', { code: 'SOMETHING_NEW' }))?.message).toBe(
      'A newer server says so.',
    );
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
      hint: null,
      connectUrl: null,
    });
  });

  test('NEEDS_AUTHORIZATION carries where to connect, and the server’s reason', () => {
    const d = describeError(
      gql('Connection crm must be reconnected. Connect it at http://x/connections/1.', {
        code: 'NEEDS_AUTHORIZATION',
        connectUrl: '/c',
      }),
    );
    expect(d?.connectUrl).toBe('/c');
    expect(d?.message).toMatch(/must be reconnected/);
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

/**
 * Every code createAndConnect / createConnection / setServiceCredentials can return, against the form that
 * calls it: each error is visible, on its field or in the summary, never neither.
 */
describe('placeErrors: nothing the API says is hidden', () => {
  const connectionForm = (error: ReturnType<typeof gql>) => placeErrors(error, CONNECTION_FORM_FIELDS);

  test('wrong Basic or API-key credentials (field `credentials`, which has no input) go to the summary', () => {
    const r = connectionForm(
      gql('Sandbox (Basic) did not accept these credentials (HTTP 401): invalid credentials', {
        code: 'BAD_USER_INPUT',
        field: 'credentials',
        upstreamStatus: 401,
        retryable: false,
      }),
    );
    expect(r.fields).toEqual({});
    expect(r.summary?.message).toBe(
      'Sandbox (Basic) did not accept these credentials (HTTP 401): invalid credentials',
    );
  });

  test('credentials that could not be checked (transient) go to the summary too', () => {
    const r = connectionForm(
      gql('These credentials could not be checked: HTTP 503. Nothing was saved; try again later.', {
        code: 'BAD_USER_INPUT',
        field: 'credentials',
        retryable: true,
      }),
    );
    expect(r.summary?.message).toMatch(/could not be checked/);
  });

  test('a catalog OAuth service without a configured client (field `service`) goes to the summary', () => {
    const r = connectionForm(
      gql('service: Set the OAuth client (client id and secret) of GitHub first', {
        code: 'BAD_USER_INPUT',
        field: 'service',
      }),
    );
    expect(r.summary?.message).toBe('Set the OAuth client (client id and secret) of GitHub first');
  });

  test('a field the form has goes under it, and only there', () => {
    const r = connectionForm(
      gql('The link name "crm" is already used in this workspace.', { code: 'CONFLICT', field: 'linkName' }),
    );
    expect(r.fields).toEqual({ linkName: 'The link name "crm" is already used in this workspace.' });
    expect(r.summary).toBeNull();
    expect(
      connectionForm(
        gql('input.name: must be 1 to 50 characters', { code: 'BAD_USER_INPUT', field: 'input.name' }),
      ).fields,
    ).toEqual({ name: 'must be 1 to 50 characters' });
  });

  test('placed and unplaced problems of one validation error are split', () => {
    const r = placeErrors(
      {
        graphQLErrors: [
          {
            message: 'name: too long; access.members.0: unknown member',
            extensions: {
              code: 'BAD_USER_INPUT',
              field: 'name',
              problems: [
                { field: 'name', message: 'too long' },
                { field: 'access.members.0', message: 'unknown member' },
              ],
            },
          },
        ],
      },
      CONNECTION_FORM_FIELDS,
    );
    expect(r.fields).toEqual({ name: 'too long' });
    expect(r.summary?.message).toBe('unknown member');
  });

  test.each([
    ['FORBIDDEN', 'Only an admin can attach a connection to an extension.'],
    ['RATE_LIMITED', 'Too many requests: slow down.'],
    ['CONFLICT', 'Another change to this workspace happened at the same time: try again.'],
    ['NOT_FOUND', 'Service "nope" was not found.'],
    ['UNAUTHENTICATED', 'Sign in or send a valid API token to use this API.'],
    ['UPSTREAM_UNAVAILABLE', 'The upstream could not be reached (ECONNREFUSED).'],
  ])('%s without a field goes to the summary with the server’s message', (code, message) => {
    const r = connectionForm(gql(message, { code }));
    expect(r.fields).toEqual({});
    expect(r.summary).toMatchObject({ code, message });
  });

  test('an internal error and a network failure are summarised in plain words', () => {
    expect(
      connectionForm(gql('Internal server error.', { code: 'INTERNAL_SERVER_ERROR' })).summary?.message,
    ).toMatch(/went wrong/);
    expect(placeErrors({ graphQLErrors: [], networkError: new Error('offline') }, []).summary?.code).toBe(
      'NETWORK',
    );
  });

  test('the OAuth client form: clientId on its field, a catalog service that has no client in the summary', () => {
    expect(
      placeErrors(
        gql('input.clientId: must be 1 to 512 characters', {
          code: 'BAD_USER_INPUT',
          field: 'input.clientId',
        }),
        SERVICE_CLIENT_FORM_FIELDS,
      ).fields,
    ).toEqual({ clientId: 'must be 1 to 512 characters' });
    const r = placeErrors(
      gql('slug: Sandbox (Basic) uses BASIC: it has no OAuth client', {
        code: 'BAD_USER_INPUT',
        field: 'slug',
      }),
      SERVICE_CLIENT_FORM_FIELDS,
    );
    expect(r.summary?.message).toBe('Sandbox (Basic) uses BASIC: it has no OAuth client');
  });

  test('no error, nothing to show', () => {
    expect(placeErrors(undefined, CONNECTION_FORM_FIELDS)).toEqual({ fields: {}, summary: null });
  });
});

test('unplacedErrors: a field map’s messages the form has no field for', () => {
  expect(
    unplacedErrors(
      { name: 'too long', credentials: 'rejected', 'input.service': 'no client' },
      CONNECTION_FORM_FIELDS,
    ),
  ).toEqual(['rejected', 'no client']);
  expect(unplacedErrors({ username: 'required' }, CONNECTION_FORM_FIELDS)).toEqual([]);
});
