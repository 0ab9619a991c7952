import { stringifySetCookie, type SetCookie } from 'cookie';
import type { ServerResponse } from 'node:http';
import type { GqlContext } from '../graphql/context';
import { SESSION_COOKIE } from './auth';

/**
 * signIn / signOut set and clear the console's session cookie on the response: HttpOnly (no script reads
 * it), SameSite=Lax (not sent on cross-site subresource requests and POSTs), Secure behind an https public URL.
 * Written as Express's res.cookie / res.clearCookie write it (cleared: the same attributes, expired).
 */
export function sessionCookie(
  res: ServerResponse,
  publicUrl: string | undefined,
): NonNullable<GqlContext['session']> {
  const attributes: Omit<SetCookie, 'name' | 'value'> = {
    httpOnly: true,
    sameSite: 'lax',
    secure: (publicUrl ?? '').startsWith('https:'),
    path: '/',
  };
  const add = (value: string, expires: Date) =>
    res.appendHeader(
      'Set-Cookie',
      stringifySetCookie({ name: SESSION_COOKIE, value, ...attributes, expires }),
    );
  return {
    set: (token, expiresAt) => add(token, expiresAt),
    clear: () => add('', new Date(1)),
  };
}
