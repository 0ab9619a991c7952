/**
 * The console's copy of the API's link-name rule (apps/api/src/domain/link-name.ts), so the field can show
 * the handle while the name is typed. The API stays the judge: a taken name comes back as CONFLICT on
 * `linkName`, and a name left to the API gets a free suffix (_2, _3...).
 */
export const LINK_NAME_PATTERN = /^[a-z0-9_]{1,50}$/;
export const NAME_MAX = 50;

export function deriveLinkName(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50)
    .replace(/_+$/, '');
  return base;
}

/** A message for a link name the API would refuse, or null when it is acceptable. */
export function linkNameProblem(linkName: string): string | null {
  if (!linkName) return 'Enter a link name, or type a name to derive one.';
  if (linkName.length > 50) return 'At most 50 characters.';
  if (!LINK_NAME_PATTERN.test(linkName)) return 'Only lower-case letters a–z, digits and _.';
  return null;
}

/** What a user types into the link-name field, kept to the allowed characters as they type. */
export function sanitizeLinkNameInput(value: string): string {
  return value
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
    .replace(/[^a-z0-9_]/g, '')
    .slice(0, 50);
}
