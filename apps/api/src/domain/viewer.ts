import type { Role } from '../db/entities/membership';
import { AppError, forbidden, unauthenticated } from '../errors';

export interface Viewer {
  userId: string;
  workspaceId: string;
  role: Role;
  authMethod: 'SESSION' | 'API_TOKEN';
  sessionId?: string;
  apiTokenId?: string;
  /** The signed-in user, read with the credentials so lists can name the viewer without another query. */
  user: { id: string; email: string; displayName: string };
}

export function requireViewer(viewer: Viewer | null | undefined): Viewer {
  if (!viewer) throw unauthenticated();
  return viewer;
}

export function requireAdmin(viewer: Viewer | null | undefined): Viewer {
  const v = requireViewer(viewer);
  if (v.role !== 'ADMIN') throw forbidden('Only workspace admins can do this.');
  return v;
}

export function isAdmin(viewer: Viewer): boolean {
  return viewer.role === 'ADMIN';
}

export { AppError };
