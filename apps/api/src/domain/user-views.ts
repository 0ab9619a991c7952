import type { User } from '@connections/schema';
import type { UserRow } from '../db/entities';

export function userView(u: Pick<UserRow, 'id' | 'email' | 'displayName'>): User {
  return { id: u.id, email: u.email, displayName: u.displayName };
}
