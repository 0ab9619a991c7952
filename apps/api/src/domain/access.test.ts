import {
  accessParams,
  assertOwnerFilter,
  canSee,
  type ConnectionVisibility,
  relation,
  scopeSql,
  viewerCan,
  visibleSql,
} from './access';

// The whole matrix of who may see, use and manage a connection (DESIGN.md, "Who may use a connection", and
// issue 13): viewer role x owner x useLoginUserCredentials x restricted x named x finished, and for the
// relation whether the viewer authorized it. The expectations are the rule as the issue states it, case by
// case; connection-access.integration.test.ts checks the SQL twins against these predicates.

const ME = 'user-me';
const OTHER = 'user-other';

type Case = {
  role: 'ADMIN' | 'MEMBER';
  owner: boolean;
  login: boolean;
  restricted: boolean;
  named: boolean;
  finished: boolean;
};

const bools = [false, true];
const cases: Case[] = (['ADMIN', 'MEMBER'] as const).flatMap((role) =>
  bools.flatMap((owner) =>
    bools.flatMap((login) =>
      bools.flatMap((restricted) =>
        bools.flatMap((named) =>
          bools.map((finished) => ({ role, owner, login, restricted, named, finished })),
        ),
      ),
    ),
  ),
);

function connectionOf(c: Case): ConnectionVisibility {
  return {
    ownerId: c.owner ? ME : OTHER,
    useLoginUserCredentials: c.login,
    // Being named only means something on a restricted connection: unrestricted ones store no list at all.
    restrictedTo: c.restricted ? (c.named ? ['someone', ME] : ['someone']) : null,
    establishedAt: c.finished ? new Date(0) : null,
  };
}
const viewerOf = (c: Case) => ({ userId: ME, role: c.role });
const label = (c: Case) =>
  `${c.role}${c.owner ? ' owner' : ''}${c.login ? ' login-user' : ' owner-credential'}` +
  `${c.restricted ? ' restricted' : ''}${c.named ? ' named' : ''}${c.finished ? '' : ' not-finished'}`;

/** The rule, stated case by case. */
function expectedVisible(c: Case): boolean {
  if (c.owner) return true; // an owner always sees their own, not finished included (Resume, Discard)
  if (!c.finished) return false; // nobody else sees a not-finished one, admins included
  if (!c.restricted) return true; // unrestricted: every member, as the seed describes
  return c.role === 'ADMIN' || c.named; // restricted: admins and the named members
}

describe('access matrix', () => {
  test('has every combination once', () => {
    expect(cases).toHaveLength(64);
    expect(new Set(cases.map(label)).size).toBe(64);
  });

  test.each(cases.map((c) => [label(c), c] as const))('%s', (_label, c) => {
    const viewer = viewerOf(c);
    const connection = connectionOf(c);
    const visible = expectedVisible(c);
    expect(canSee(viewer, connection)).toBe(visible);

    const manages = c.owner || c.role === 'ADMIN';
    expect(viewerCan(viewer, connection)).toEqual(
      visible
        ? // Everyone who sees it may call it; only the owner and admins authorize the owner's credentials.
          { use: true, connect: c.login || manages, manage: manages }
        : { use: false, connect: false, manage: false },
    );

    for (const authorized of bools) {
      const expected = !visible
        ? null
        : c.owner
          ? 'OWN'
          : !c.login
            ? 'OWNER_CREDENTIALS'
            : authorized
              ? 'SHARED'
              : 'AVAILABLE';
      expect(relation(viewer, connection, authorized)).toBe(expected);
    }
  });

  test('how many combinations each viewer sees', () => {
    const seen = (role: 'ADMIN' | 'MEMBER') =>
      cases.filter((c) => c.role === role && canSee(viewerOf(c), connectionOf(c))).length;
    // Owner: all 16 of theirs. Others' finished ones: admins all 4 restriction states x 2 kinds, members 3 x 2.
    expect(seen('ADMIN')).toBe(16 + 8);
    expect(seen('MEMBER')).toBe(16 + 6);
  });

  test('an empty restriction leaves only the owner and admins', () => {
    const c = { ownerId: OTHER, useLoginUserCredentials: false, restrictedTo: [], establishedAt: new Date() };
    expect(canSee({ userId: ME, role: 'MEMBER' }, c)).toBe(false);
    expect(canSee({ userId: ME, role: 'ADMIN' }, c)).toBe(true);
    expect(canSee({ userId: OTHER, role: 'MEMBER' }, c)).toBe(true);
  });

  test('a row read without establishedAt counts as not finished (fails closed)', () => {
    const c = { ownerId: OTHER, useLoginUserCredentials: true };
    expect(canSee({ userId: ME, role: 'ADMIN' }, c)).toBe(false);
  });
});

describe('owner filter', () => {
  test('admins name anyone; others only themselves', () => {
    expect(() => assertOwnerFilter({ userId: ME, role: 'ADMIN' }, OTHER)).not.toThrow();
    expect(() => assertOwnerFilter({ userId: ME, role: 'MEMBER' }, ME)).not.toThrow();
    expect(() => assertOwnerFilter({ userId: ME, role: 'MEMBER' }, OTHER)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', details: { field: 'owner' } }),
    );
  });
});

describe('SQL twins', () => {
  test('the named-member pattern matches a whole JSON element, LIKE wildcards escaped', () => {
    expect(accessParams({ userId: 'a_b%c' })).toEqual({ me: 'a_b%c', yes: true, meNamed: '%"a\\_b\\%c"%' });
  });

  test('admins skip the restriction, members do not; both skip others’ not-finished ones', () => {
    expect(visibleSql({ userId: ME, role: 'ADMIN' }, 'c')).not.toContain('restrictedTo');
    expect(visibleSql({ userId: ME, role: 'MEMBER' }, 'c')).toContain('"c"."restrictedTo" LIKE :meNamed');
    for (const role of ['ADMIN', 'MEMBER'] as const)
      expect(visibleSql({ userId: ME, role }, 'c')).toContain('"c"."establishedAt" IS NOT NULL');
    expect(scopeSql({ userId: ME, role: 'MEMBER' }, 'OWN', 'c', 'a')).toBe('"c"."ownerId" = :me');
  });
});
