import type { ConnectionRow } from '../db/entities';
import { AppError } from '../errors';

/** The page where a user (re)authorizes a connection: its page in the console. */
export type ConnectUrlOf = (connectionId: string) => string;

export const connectUrlOf =
  (publicUrl: () => string): ConnectUrlOf =>
  (connectionId) =>
    `${publicUrl()}/connections/${connectionId}`;

/**
 * The one way to raise NEEDS_AUTHORIZATION: the error always carries `connectUrl` (GraphQL
 * extensions.connectUrl, the /proxy error body), the link name and the authorization's status, so no call
 * site (an invocation without credentials, the first failed refresh, a refresh that found the grant revoked)
 * can forget where to reconnect.
 */
export function needsAuthorization(
  connectUrl: ConnectUrlOf,
  connection: Pick<ConnectionRow, 'id' | 'linkName'>,
  status: string,
  reason: string,
): AppError {
  const url = connectUrl(connection.id);
  return new AppError('NEEDS_AUTHORIZATION', `${reason} Connect it at ${url}.`, {
    linkName: connection.linkName,
    connectUrl: url,
    status,
  });
}
