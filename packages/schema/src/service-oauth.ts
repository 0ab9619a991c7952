import { registerEnumType } from 'type-graphql';

/** How the OAuth client authenticates at the token endpoint (RFC 6749 section 2.3.1); values as RFC 7591 names them. */
export enum TokenEndpointAuthMethod {
  CLIENT_SECRET_BASIC = 'client_secret_basic',
  CLIENT_SECRET_POST = 'client_secret_post',
}

registerEnumType(TokenEndpointAuthMethod, {
  name: 'TokenEndpointAuthMethod',
  valuesConfig: {
    CLIENT_SECRET_BASIC: { description: 'HTTP Basic with the client id and secret (what RFC 6749 prefers).' },
    CLIENT_SECRET_POST: { description: 'client_id and client_secret in the form body.' },
  },
});

/**
 * Where an OAUTH2 service's tokens come from (RFC 6749 section 4). A grant of OAUTH2, not an auth type of its
 * own: either way the stored credentials are an OAuth 2.0 access token, applied to requests the same way.
 */
export enum OAuth2GrantType {
  AUTHORIZATION_CODE = 'authorization_code',
  CLIENT_CREDENTIALS = 'client_credentials',
}

registerEnumType(OAuth2GrantType, {
  name: 'OAuth2GrantType',
  valuesConfig: {
    AUTHORIZATION_CODE: {
      description: 'A user authorizes in the browser (section 4.1); refreshed with its refresh token.',
    },
    CLIENT_CREDENTIALS: {
      description:
        'Machine-to-machine (section 4.4): the server requests the token with the client id and secret, no browser, ' +
        "and requests a new one when it expires. Connections use the owner's authorization only.",
    },
  },
});
