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
  const bearer = auth && bearerToken(auth);
  if (bearer) return accounts.viewerForApiToken(bearer);
  const cookieHeader = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie;
  const session = cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
  return session ? accounts.viewerForSession(session) : null;
}

/** RFC 6750 2.1 `Bearer <token>` (the scheme case-insensitive); the common spelling without a regex. */
function bearerToken(header: string): string | undefined {
  if (header.startsWith('Bearer ')) {
    const token = header.slice(7);
    if (token && !/\s/.test(token)) return token;
  }
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
}

/**
 * graphql-ws: connectionParams.authorization (or authToken) first, then the upgrade request's cookie.
 *
 * A browser sends the console's cookie with a WebSocket upgrade from any page of the same site, and the
 * cookie's SameSite=Lax does not stop it (an upgrade is a GET): cross-site WebSocket hijacking. So a socket
 * authenticated by the cookie must come from one of `cookieOrigins`. Browsers always send `Origin` on an
 * upgrade (RFC 6455 section 4.1, item 8; section 10.2 asks servers to check it); a request without one is not
 * a browser's, and a non-browser client that holds the cookie could use it over HTTP anyway. An API token in
 * connectionParams is not ambient authority: a page can only send one it already holds, so any origin may.
 */
export async function viewerForSocket(
  accounts: AccountsService,
  params: Record<string, unknown> | undefined,
  request: IncomingMessage,
  cookieOrigins: readonly string[],
): Promise<Viewer | null> {
  const fromParams =
    params?.authorization ??
    params?.Authorization ??
    (params?.authToken ? `Bearer ${String(params.authToken)}` : undefined);
  if (typeof fromParams === 'string') return viewerFromHeaders(accounts, { authorization: fromParams });
  const origin = request.headers.origin ?? request.headers['sec-websocket-origin'];
  if (origin !== undefined && !cookieOrigins.includes(String(origin).toLowerCase())) return null;
  return viewerFromHeaders(accounts, { cookie: request.headers.cookie });
}
