import { AppError, badInput } from '../errors';

// A cursor names a place in one workspace's event log. Clients treat it as opaque; it carries the workspace so
// that a cursor from another workspace (another deployment's tool, a pasted value) is refused rather than
// silently read as a place in this log.
const VERSION = 'ev1';

export function encodeCursor(workspaceId: string, seq: number): string {
  return Buffer.from(`${VERSION}:${workspaceId}:${seq}`).toString('base64url');
}

/** The log position a client's cursor names; BAD_USER_INPUT (on `field`) when it is not one of this workspace's. */
export function decodeCursor(workspaceId: string, cursor: string, field = 'after'): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^ev1:([0-9a-f-]{36}):(\d{1,15})$/.exec(text);
  if (!m || m[1] !== workspaceId)
    throw badInput(field, 'is not an authorization event cursor of this workspace');
  return Number(m[2]);
}

export function cursorExpired(field = 'after'): AppError {
  return new AppError(
    'CURSOR_EXPIRED',
    `${field}: events after this cursor were deleted (they are kept for CONNECTIONS_EVENT_RETENTION_DAYS). ` +
      'Resync with `connections`, then follow authorizationEvents without `after` (or from a newer cursor).',
    { field },
  );
}
