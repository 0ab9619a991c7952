import {
  AuthFlowError,
  type ClientCredentials,
  type OAuth2Credentials,
  requestClientCredentialsToken,
  type RefreshOptions,
  type ServiceDefinition,
  usesClientCredentials,
} from '@connections/auth-flows';
import { AppError, badInput } from '../errors';

/**
 * Connecting a client-credentials service (RFC 6749 section 4.4): no browser and no attempt link, the server
 * asks the token endpoint itself, before any transaction (a slow provider must not hold the write lock), so a
 * refused client leaves nothing behind: no connection, no authorization, no event. The token belongs to the
 * OAuth client, not to a person: only owner-credential connections make sense.
 */
export async function clientCredentialsToken(
  { definition, client }: { definition: ServiceDefinition; client: ClientCredentials | null },
  useLoginUserCredentials: boolean,
  fetch?: RefreshOptions['fetch'],
): Promise<OAuth2Credentials | null> {
  if (!usesClientCredentials(definition)) return null;
  refuseLoginUserCredentials(
    { name: definition.displayName, grantType: definition.grantType ?? null },
    useLoginUserCredentials,
  );
  if (!client)
    throw badInput(
      'service',
      `Set the OAuth client (client id and secret) of ${definition.displayName} first`,
    );
  try {
    return await requestClientCredentialsToken(definition, client, { fetch });
  } catch (error) {
    if (!(error instanceof AuthFlowError)) throw error;
    // The message is auth-flows' (the secret masked in anything the server echoed); say nothing was kept.
    const why = `${error.message}. Nothing was saved`;
    throw new AppError(
      'BAD_USER_INPUT',
      error.transient
        ? `${why}; try again later.`
        : `${why}: check the service's client id, secret and scopes.`,
      {
        field: 'service',
        oauthError: error.oauthError ?? null,
        upstreamStatus: error.status ?? null,
        retryable: !!error.transient,
      },
    );
  }
}

/**
 * A client-credentials token has no user behind it: "each member with their own authorization" cannot be.
 * Checked when a connection is created (with or without connecting) and when it is connected.
 */
export function refuseLoginUserCredentials(
  service: { name: string; grantType?: string | null },
  useLoginUserCredentials: boolean | null | undefined,
): void {
  if (useLoginUserCredentials && service.grantType === 'client_credentials')
    throw badInput(
      'useLoginUserCredentials',
      `${service.name} uses the client credentials grant: its token is the OAuth client's, not a user's, so connections use the owner's authorization (useLoginUserCredentials: false)`,
    );
}
