import {
  accessInput,
  draftOf,
  sameAccess,
  type AccessDraft,
  type AccessInput,
  type RestrictionLike,
} from './connectionRestriction';
import { NAME_MAX } from './linkName';

/**
 * Editing a connection (`updateConnection`): its display name, its scopes and who may use it. The link name
 * is immutable. Only what changed is sent (an absent field is left as it is by the API).
 */
export interface EditableConnection {
  id: string;
  name: string;
  scopes: string[];
  restriction: RestrictionLike | null;
}

export interface EditDraft {
  name: string;
  scopes: string[];
  access: AccessDraft;
}

/** `UpdateConnectionInput` of the API. */
export interface UpdateInput {
  id: string;
  name?: string;
  scopes?: string[];
  access?: AccessInput;
}

export const editDraftOf = (c: EditableConnection): EditDraft => ({
  name: c.name,
  scopes: [...c.scopes],
  access: draftOf(c.restriction),
});

const sameScopes = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');

/** The name's problem, checked before sending; the API checks it again. */
export function nameProblem(name: string): string | null {
  if (!name.trim()) return 'Enter a name.';
  if (name.trim().length > NAME_MAX) return `At most ${NAME_MAX} characters.`;
  return null;
}

/** The mutation's input, or null when nothing changed. */
export function updateInput(
  c: EditableConnection,
  draft: EditDraft,
  implicit: ReadonlySet<string> = new Set(),
): UpdateInput | null {
  const input: UpdateInput = { id: c.id };
  const name = draft.name.trim();
  if (name !== c.name) input.name = name;
  if (!sameScopes(c.scopes, draft.scopes)) input.scopes = [...draft.scopes];
  if (!sameAccess(draftOf(c.restriction), draft.access, implicit))
    input.access = accessInput(draft.access, implicit);
  return Object.keys(input).length > 1 ? input : null;
}

/** Scopes the edit adds: the authorizations were not granted them, so each one has to reconnect for them. */
export const addedScopes = (before: readonly string[], after: readonly string[]): string[] =>
  after.filter((s) => !before.includes(s));

/** "Reconnect to grant: X, Y", from `Authorization.missingScopes`; null when nothing is missing. */
export function reconnectPrompt(missingScopes: readonly string[] | null | undefined): string | null {
  return missingScopes?.length ? `Reconnect to grant: ${missingScopes.join(', ')}` : null;
}
