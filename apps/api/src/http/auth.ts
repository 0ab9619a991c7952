import { parseCookie } from 'cookie';
import type { IncomingMessage } from 'node:http';
import type { AccountsService } from '../domain/accounts';
import type { Viewer } from '../domain/viewer';

export const SESSION_COOKIE = 'cnx_session';

/** Resolves the caller from `Authorization: Bearer <API token>` or the console's session cookie. */
export async function viewerFromHeaders(
  accounts: AccountsService,
  headers: { authorization?: string | string[]; cookie?: string | string[] },
): Promise<Viewer | null> {
  const auth = Array.isArray(headers.authorization) ? headers.authorization[0] : headers.authorization;
  const bearer = auth && /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
  if (bearer) return accounts.viewerForApiToken(bearer);
  const cookieHeader = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie;
  const session = cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
  return session ? accounts.viewerForSession(session) : null;
}

/** graphql-ws: connectionParams.authorization (or authToken) first, then the upgrade request's cookie. */
export async function viewerForSocket(
  accounts: AccountsService,
  params: Record<string, unknown> | undefined,
  request: IncomingMessage,
): Promise<Viewer | null> {
  const fromParams =
    params?.authorization ??
    params?.Authorization ??
    (params?.authToken ? `Bearer ${String(params.authToken)}` : undefined);
  if (typeof fromParams === 'string') return viewerFromHeaders(accounts, { authorization: fromParams });
  return viewerFromHeaders(accounts, { cookie: request.headers.cookie });
}
