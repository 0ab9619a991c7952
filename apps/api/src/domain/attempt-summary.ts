import type { EntityManager } from 'typeorm';
import { type AuthorizationAttemptRow, ConnectionRow, UserRow, WorkspaceRow } from '../db/entities';

/**
 * What a person opening an authorization link is about to do, in names: the confirmation page shows it
 * before anything is sent to the provider, and the result page after. Names and emails of members of the
 * attempt's own workspace only; never an id, a token or a secret.
 */
export interface AttemptSummary {
  workspace: string;
  connection: string;
  linkName: string;
  service: string;
  owner: string;
  requestedBy: string;
}

const person = (u: UserRow | null) => (u ? `${u.displayName} (${u.email})` : 'a former member');

export async function summarizeAttempt(
  m: EntityManager,
  attempt: AuthorizationAttemptRow,
  serviceName: (connection: ConnectionRow) => string,
): Promise<AttemptSummary | undefined> {
  const connection = await m.findOne(ConnectionRow, {
    where: { id: attempt.connectionId },
    relations: { service: true },
  });
  if (!connection) return undefined;
  const workspace = await m.findOneBy(WorkspaceRow, { id: attempt.workspaceId });
  const owner = await m.findOneBy(UserRow, { id: connection.ownerId });
  const requester =
    attempt.userId === connection.ownerId ? owner : await m.findOneBy(UserRow, { id: attempt.userId });
  return {
    workspace: workspace?.name ?? '',
    connection: connection.name,
    linkName: connection.linkName,
    service: serviceName(connection),
    owner: person(owner),
    requestedBy: person(requester),
  };
}
