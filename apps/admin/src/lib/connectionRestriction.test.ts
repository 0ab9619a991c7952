import {
  accessInput,
  draftOf,
  implicitIds,
  memberOptions,
  restrictionSummary,
  sameAccess,
  toggleMember,
  type MemberLike,
} from './connectionRestriction';

const user = (id: string, displayName: string) => ({ id, email: `${id}@example.com`, displayName });
const member = (id: string, displayName: string, role: MemberLike['role'] = 'MEMBER'): MemberLike => ({
  role,
  user: user(id, displayName),
});
const MEMBERS = [
  member('zoe', 'Zoe'),
  member('root', 'Root', 'ADMIN'),
  member('ada', 'Ada'),
  member('owner', 'Owen'),
  member('bob', 'Bob'),
];

describe('the access editor', () => {
  test('an unrestricted connection starts as everyone; a restricted one with its named members', () => {
    expect(draftOf(null)).toEqual({ restricted: false, members: [] });
    expect(draftOf({ members: [user('ada', 'Ada')] })).toEqual({ restricted: true, members: ['ada'] });
    expect(draftOf({ members: [] })).toEqual({ restricted: true, members: [] });
  });

  test('everyone: no members are sent, whatever was picked before', () => {
    expect(accessInput({ restricted: false, members: ['ada'] })).toEqual({ restricted: false });
  });

  test('restricted: the named members only, never the owner or an admin, once each, in a stable order', () => {
    const implicit = implicitIds(MEMBERS, 'owner');
    expect([...implicit].sort()).toEqual(['owner', 'root']);
    expect(
      accessInput({ restricted: true, members: ['zoe', 'owner', 'ada', 'root', 'ada'] }, implicit),
    ).toEqual({
      restricted: true,
      members: ['ada', 'zoe'],
    });
    // Nobody named: only the owner and admins.
    expect(accessInput({ restricted: true, members: [] })).toEqual({ restricted: true, members: [] });
  });

  test('a change is a change of meaning, not of order or of implicit members', () => {
    const implicit = implicitIds(MEMBERS, 'owner');
    const a = { restricted: true, members: ['ada', 'zoe'] };
    expect(sameAccess(a, { restricted: true, members: ['zoe', 'ada', 'owner'] }, implicit)).toBe(true);
    expect(sameAccess(a, { restricted: true, members: ['ada'] }, implicit)).toBe(false);
    expect(sameAccess(a, { restricted: false, members: ['ada', 'zoe'] }, implicit)).toBe(false);
    expect(sameAccess({ restricted: false, members: [] }, { restricted: false, members: ['x'] })).toBe(true);
  });

  test('the picker lists the owner, then admins (both always allowed), then members by name', () => {
    const options = memberOptions(MEMBERS, 'owner');
    expect(options.map((o) => [o.id, o.implicit])).toEqual([
      ['owner', 'owner'],
      ['root', 'admin'],
      ['ada', null],
      ['bob', null],
      ['zoe', null],
    ]);
    expect(options[2]).toMatchObject({ label: 'Ada', email: 'ada@example.com' });
  });

  test('toggling a member adds or removes it once', () => {
    const d = { restricted: true, members: ['ada'] };
    expect(toggleMember(d, 'bob', true).members).toEqual(['ada', 'bob']);
    expect(toggleMember(d, 'ada', true).members).toEqual(['ada']);
    expect(toggleMember(d, 'ada', false).members).toEqual([]);
  });

  test('the summary says who may use it', () => {
    expect(restrictionSummary(null)).toBe('Everyone in the workspace');
    expect(restrictionSummary({ members: [] })).toBe('Only the owner and admins');
    expect(restrictionSummary({ members: [user('ada', 'Ada'), user('bob', 'Bob')] })).toBe(
      'Only Ada, Bob (with the owner and admins)',
    );
    const many = ['a', 'b', 'c', 'd', 'e'].map((n) => user(n, n.toUpperCase()));
    expect(restrictionSummary({ members: many })).toBe('Only A, B, C and 2 more (with the owner and admins)');
  });
});
