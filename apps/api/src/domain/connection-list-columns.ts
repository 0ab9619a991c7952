import type { Connection as ConnectionView } from '@connections/schema';

/** A field of a connection as GraphQL names it (`nodes { ... }`). */
export type ConnectionField = keyof ConnectionView;

// Whatever is asked: the id and the service (every view carries its service), and what access.ts's rule reads
// for `relation` and `viewerCan`, which connectionView always works out and which fail closed (the owner, whose
// credentials, the restriction, finished; the viewer's authorization: whether there is one, its principal and
// status).
const ALWAYS = [
  'c.id',
  'c.serviceId',
  'c.ownerId',
  'c.useLoginUserCredentials',
  'c.restrictedTo',
  'c.establishedAt',
  'a.id',
  'a.principalId',
  'a.status',
];

/** Stands for every column the authorization store lists for a view (AuthorizationStore.selectListColumns). */
const WHOLE_AUTHORIZATION = 'a.*';
const OWNER = ['o.id', 'o.email', 'o.displayName'];

/**
 * The one rule of the list's columns: what each field of a connection needs beyond ALWAYS, as
 * connection-views.ts reads them. A field not named here (id, service, relation, viewerCan, restriction,
 * finished, unfinishedExpiresAt, health...) needs nothing more. Every column a row carries costs on every row
 * of every page (issue 15): a page that asks for five fields reads half the columns of one that asks for all.
 */
const NEEDS: { readonly [F in ConnectionField]?: readonly string[] } = {
  name: ['c.name'],
  linkName: ['c.linkName'],
  scopes: ['c.scopes'],
  owner: OWNER,
  extensionId: ['c.extensionId'],
  // effectiveStatus: a REFRESHING whose holder died reads as the status before it.
  status: ['a.refreshStartedAt', 'a.lastError'],
  // Its principal is the owner (joined) or the viewer; missingScopes compares with the connection's scopes.
  authorization: ['c.scopes', ...OWNER, WHOLE_AUTHORIZATION],
  createdAt: ['c.createdAt'],
  updatedAt: ['c.updatedAt'],
};

// One order for every selection, so that the same fields asked in another order make the same statement.
const ORDERED = [...new Set([...ALWAYS, ...Object.values(NEEDS).flat()])];

export interface ListColumns {
  /** `<alias>.<column>` of the connection `c`, its owner `o` and the viewer's authorization `a`. */
  columns: string[];
  /** Every column of the authorization a view shows: the store selects them (never its credentials). */
  wholeAuthorization: boolean;
}

/**
 * The columns a list reads for views of which only `fields` will be read: all of them when `fields` is absent.
 * A view built from fewer columns has the fields that were not asked for unset or wrong; nothing reads them.
 */
export function listColumns(fields?: ReadonlySet<string> | null): ListColumns {
  const wanted = new Set(ALWAYS);
  for (const [field, columns] of Object.entries(NEEDS))
    if (!fields || fields.has(field)) for (const c of columns) wanted.add(c);
  const wholeAuthorization = wanted.has(WHOLE_AUTHORIZATION);
  return {
    columns: ORDERED.filter(
      (c) => wanted.has(c) && c !== WHOLE_AUTHORIZATION && !(wholeAuthorization && c.startsWith('a.')),
    ),
    wholeAuthorization,
  };
}
