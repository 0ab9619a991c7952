import { AuthorizationRow, ConnectionRow } from '../db/entities';
import { newId } from '../db/entities/base';
import { AUTHORIZED } from './authorization-store';
import {
  accessParams,
  canSee,
  type ConnectionListScope,
  principalSql,
  relation,
  relationSql,
  scopeSql,
  visibleSql,
} from './access';
import { addMember, databases, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(60_000);

// The SQL twins of access.ts agree with its TypeScript predicates over the same matrix of rows, on SQLite and
// on PostgreSQL: owner (the viewer or someone else) x useLoginUserCredentials x restriction (none, empty,
// naming the viewer, naming others only, naming the viewer among others) x finished x the viewer's own
// authorization (none, CONNECTED, PENDING) and the owner's, for an admin and a member viewer.

type Row = Pick<
  ConnectionRow,
  'id' | 'ownerId' | 'useLoginUserCredentials' | 'restrictedTo' | 'establishedAt' | 'linkName'
>;

describe.each(databases())('access.ts SQL twins (%s)', (db) => {
  let t: TestServer;
  let me: string;
  let other: string;
  let workspaceId: string;
  const rows: Row[] = [];
  /** The status of each row's authorization per principal. */
  const statuses = new Map<string, Map<string, string>>();

  beforeAll(async () => {
    t = await startTestServer(db);
    const admin = await t.adminAuth();
    me = (await addMember(t, 'twin-me@example.com')).userId;
    other = (await addMember(t, 'twin-other@example.com')).userId;
    const service = (
      await t.gql(
        'mutation { createCustomService(input: {name: "Twin", authType: BASIC, apiBaseUrls: ["https://twin.example.com/"]}) { id } }',
        {},
        admin,
      )
    ).data!.createCustomService.id as string;
    workspaceId = (await t.gql('{ viewer { workspace { id } } }', {}, admin)).data!.viewer.workspace.id;

    const restrictions: (string[] | null)[] = [null, [], [me], [other, 'someone'], ['someone', me]];
    const mine: (string | null)[] = [null, 'CONNECTED', 'PENDING'];
    const connections: Partial<ConnectionRow>[] = [];
    const authorizations: Partial<AuthorizationRow>[] = [];
    let i = 0;
    for (const ownerId of [me, other])
      for (const login of [false, true])
        for (const restrictedTo of restrictions)
          for (const finished of [false, true])
            for (const myStatus of mine) {
              const id = newId();
              const row = {
                id,
                linkName: `twin_${i++}`,
                ownerId,
                useLoginUserCredentials: login,
                restrictedTo,
                establishedAt: finished ? new Date() : null,
              };
              rows.push(row);
              connections.push({ ...row, workspaceId, name: row.linkName, serviceId: service, scopes: [] });
              const byPrincipal = new Map<string, string>();
              const authorize = (principalId: string, status: string) => {
                byPrincipal.set(principalId, status);
                authorizations.push({
                  id: newId(),
                  workspaceId,
                  connectionId: id,
                  principalId,
                  status: status as AuthorizationRow['status'],
                  grantedScopes: [],
                });
              };
              if (myStatus) authorize(me, myStatus);
              if (ownerId !== me && i % 2) authorize(ownerId, 'CONNECTED');
              statuses.set(id, byPrincipal);
            }
    await t.server.ds.getRepository(ConnectionRow).save(connections, { chunk: 20 });
    await t.server.ds.getRepository(AuthorizationRow).save(authorizations, { chunk: 20 });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Each row's flags as the SQL twins compute them for this viewer. */
  const evaluate = async (viewer: { userId: string; role: 'ADMIN' | 'MEMBER' }) => {
    const when = (sql: string) => `CASE WHEN ${sql} THEN 1 ELSE 0 END`;
    const raw = await t.server.ds
      .createQueryBuilder()
      .select('"c"."id"', 'id')
      .addSelect(when(visibleSql(viewer, 'c')), 'visible')
      .addSelect(relationSql('c', 'a'), 'relation')
      .addSelect(when(scopeSql(viewer, 'OWN', 'c', 'a')), 'own')
      .addSelect(when(scopeSql(viewer, 'SHARED', 'c', 'a')), 'shared')
      .addSelect(when(scopeSql(viewer, 'ALL', 'c', 'a')), 'all')
      .from(ConnectionRow, 'c')
      .leftJoin(
        AuthorizationRow,
        'a',
        `"a"."connectionId" = "c"."id" AND "a"."principalId" = ${principalSql('c')}`,
      )
      .where('"c"."workspaceId" = :ws', { ws: workspaceId })
      .andWhere(`"c"."linkName" LIKE :prefix ESCAPE '\\'`, { prefix: 'twin\\_%' })
      .setParameters({ ...accessParams(viewer), authorized: AUTHORIZED })
      .getRawMany<Record<string, string | number>>();
    return new Map(raw.map((r) => [r.id as string, r]));
  };

  test.each(['ADMIN', 'MEMBER'] as const)('as %s, every row agrees', async (role) => {
    const viewer = { userId: me, role };
    const sql = await evaluate(viewer);
    expect(sql.size).toBe(rows.length);
    expect(rows.length).toBe(120);
    const scopes: Record<ConnectionListScope, number> = { OWN: 0, SHARED: 0, ALL: 0 };
    for (const row of rows) {
      const got = sql.get(row.id)!;
      const visible = canSee(viewer, row);
      const mine = statuses.get(row.id)!.get(me);
      const rel = relation(viewer, row, !!mine && (AUTHORIZED as readonly string[]).includes(mine));
      const expected = {
        visible,
        relation: rel,
        own: row.ownerId === me,
        shared: rel === 'SHARED' || rel === 'OWNER_CREDENTIALS',
        all: visible,
      };
      const actual = {
        visible: Number(got.visible) === 1,
        // The CASE answers for every row; it only means something for a visible one (as relation()).
        relation: Number(got.visible) === 1 ? got.relation : null,
        own: Number(got.own) === 1,
        shared: Number(got.shared) === 1,
        all: Number(got.all) === 1,
      };
      expect({ row, ...actual }).toEqual({ row, ...expected });
      if (actual.own) scopes.OWN++;
      if (actual.shared) scopes.SHARED++;
      if (actual.all) scopes.ALL++;
    }
    // Not vacuous: each scope holds rows and leaves some out.
    for (const n of Object.values(scopes)) {
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(rows.length);
    }
  });

  test('the named-member match takes whole ids only, with LIKE wildcards in them taken literally', async () => {
    // Viewer ids are never made up in practice (uuids), but the match must not depend on that.
    const viewer = { userId: 'w_1%', role: 'MEMBER' as const };
    const [a, b, c] = rows.filter((r) => r.ownerId === other && r.establishedAt && !r.restrictedTo);
    const set = async (row: Row, restrictedTo: string[]) => {
      await t.server.ds.getRepository(ConnectionRow).update({ id: row.id }, { restrictedTo });
      row.restrictedTo = restrictedTo;
    };
    await set(a!, ['w11x', 'xw_1%x']); // would match if _ and % were wildcards, or without the quotes
    await set(b!, ['other', 'w_1%']);
    await set(c!, ['w_1']);
    const sql = await evaluate(viewer);
    for (const row of [a!, b!, c!])
      expect([row.restrictedTo, Number(sql.get(row.id)!.visible) === 1]).toEqual([
        row.restrictedTo,
        canSee(viewer, row),
      ]);
    expect([a, b, c].map((r) => canSee(viewer, r!))).toEqual([false, true, false]);
  });
});
