import { dateTime, relativeTime, userLabel } from './format';
import { type ConnectTarget, usesClientCredentials } from './grant';

/**
 * How long a connection's access lasts, whether it is not finished, and what is known about one that was
 * deleted: the words on the connection page, from the API's fields (never guessed from other fields).
 */
export interface AccessLifetime {
  /** The "Access expires" value. */
  text: string;
  /** What to do about the end of the access; null when nothing needs doing. */
  advice: string | null;
}

export function accessLifetime(
  auth: { expiresAt: string | null; hasRefreshToken: boolean } | null | undefined,
  now = Date.now(),
  service?: ConnectTarget,
): AccessLifetime {
  if (!auth) return { text: '—', advice: null };
  if (!auth.expiresAt) return { text: 'Does not expire', advice: null };
  const when = `${dateTime(auth.expiresAt)} (${relativeTime(auth.expiresAt, now)}`;
  if (auth.hasRefreshToken) return { text: `${when}; refreshed automatically)`, advice: null };
  // Client credentials have no refresh token by design (RFC 6749 section 4.4.3): the server requests a new
  // token with the client id and secret.
  if (service && usesClientCredentials(service))
    return { text: `${when}; renewed automatically with the client credentials)`, advice: null };
  const ended = Date.parse(auth.expiresAt) <= now;
  return {
    text: `${when}; not refreshed)`,
    advice: ended
      ? 'The access has ended and the provider gave no refresh token to renew it: Reconnect to use this connection again.'
      : 'The provider gave no refresh token, so calls fail once the access ends: Reconnect before then. Providers that issue refresh tokens only on request need it in the scopes or settings (for example offline_access).',
  };
}

/** A connection whose first authorization has not succeeded: only its creator sees it, until it expires. */
export function unfinishedNotice(
  row: { finished: boolean; unfinishedExpiresAt: string | null },
  now = Date.now(),
): string | null {
  if (row.finished) return null;
  const expiry = row.unfinishedExpiresAt
    ? ` It is removed ${relativeTime(row.unfinishedExpiresAt, now)} (${dateTime(row.unfinishedExpiresAt)}) unless you finish it, and its link name is released.`
    : '';
  return `Not finished: its first authorization has not succeeded, so only you see it.${expiry} Resume to authorize it, or Discard it.`;
}

export interface DeletedConnection {
  /** Who deleted it, when the viewer may know. */
  by: string | null;
  at: string | null;
  linkName: string | null;
  /** The event's own sentence, when that is all there is. */
  message: string | null;
}

interface AuditLike {
  action: string;
  connectionId: string | null;
  createdAt: string;
  actor: { email: string; displayName: string } | null;
  metadata?: Record<string, unknown> | null;
}

interface EventLike {
  type: string;
  connectionId: string;
  at: string;
  linkName: string;
  message: string;
}

/**
 * What the audit log (newest first, readable by admins and by whoever deleted it) or the DELETED
 * authorization events (heard by the owner and everyone who had authorized it) say about the deletion.
 */
export function deletedConnection(
  id: string,
  audit: readonly AuditLike[],
  events: readonly EventLike[],
): DeletedConnection | null {
  const a = audit.find((e) => e.action === 'connection.deleted' && e.connectionId === id);
  if (a) {
    const linkName = typeof a.metadata?.linkName === 'string' ? a.metadata.linkName : null;
    return { by: a.actor ? userLabel(a.actor) : null, at: a.createdAt, linkName, message: null };
  }
  const e = [...events].reverse().find((x) => x.type === 'DELETED' && x.connectionId === id);
  if (e) return { by: null, at: e.at, linkName: e.linkName, message: e.message };
  return null;
}

/** The deleted state's heading and sentence. */
export function deletedText(d: DeletedConnection | null): { title: string; description: string } {
  if (!d)
    return {
      title: 'This connection is not here',
      description:
        'It was deleted, or it is restricted to other members, or the address is wrong. The connections list shows every connection you may use.',
    };
  const what = d.linkName ? `The connection ${d.linkName}` : 'This connection';
  const by = d.by ? ` by ${d.by}` : '';
  const at = d.at ? ` on ${dateTime(d.at)}` : '';
  const detail = d.message && !d.by ? ` (${d.message})` : '';
  return {
    title: 'This connection was deleted',
    description: `${what} was deleted${by}${at}${detail}. Calls through its link name fail; create a new connection to use the service again.`,
  };
}
