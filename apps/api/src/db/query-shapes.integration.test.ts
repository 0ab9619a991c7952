import { DataSource, In, SelectQueryBuilder } from 'typeorm';
import { AuthorizationRow, ConnectionRow, entities } from './entities';
import { queryAndParameters } from './query-shapes';

// SQLite in memory: TypeORM writes the text from the entities' metadata; no table is read.
const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities });
beforeAll(() => ds.initialize());
afterAll(() => ds.destroy());

type Shape = {
  ws: string;
  me: string;
  ext?: string[];
  search?: string | number;
  desc?: boolean;
  offset?: number;
};

function listLike(s: Shape) {
  const qb = ds
    .getRepository(ConnectionRow)
    .createQueryBuilder('c')
    .innerJoin('c.owner', 'o')
    .leftJoin(AuthorizationRow, 'a', '"a"."connectionId" = "c"."id" AND "a"."principalId" = :me', {
      me: s.me,
    })
    .select(['c.id', 'c.name', 'o.email', 'a.status'])
    .where('"c"."workspaceId" = :ws', { ws: s.ws });
  if (s.ext) qb.andWhere('"c"."extensionId" IN (:...ext)', { ext: s.ext });
  if (s.search !== undefined) qb.andWhere('"c"."name" = :q', { q: s.search });
  return qb
    .orderBy('"c"."createdAt"', s.desc ? 'DESC' : 'ASC')
    .offset(s.offset ?? 0)
    .limit(21);
}

describe('queryAndParameters', () => {
  afterEach(() => jest.restoreAllMocks());

  test("gives TypeORM's own text and values, writing the text once per shape", () => {
    const shapes: Shape[] = [
      { ws: 'w1', me: 'u1' },
      { ws: 'w2', me: 'u2' },
      { ws: 'w1', me: 'u1', ext: ['e1'] },
      { ws: 'w1', me: 'u3', ext: ['e1', 'e2', 'e3'] },
      { ws: 'w1', me: 'u1', search: 'x' },
      // A number is written into the text by the driver, not bound: still right with the text kept.
      { ws: 'w1', me: 'u1', search: 42 },
      { ws: 'w1', me: 'u1', desc: true },
      { ws: 'w1', me: 'u1', offset: 20 },
      { ws: 'w3', me: 'u9', offset: 20 },
    ];
    const expected = shapes.map((s) => listLike(s).getQueryAndParameters());
    const written = jest.spyOn(SelectQueryBuilder.prototype, 'getQuery');
    expect(shapes.map((s) => queryAndParameters(listLike(s)))).toEqual(expected);
    expect(expected[5]![0]).toContain('= 42');
    // Five shapes: plain, IN, search, newest first, second page (each written once, whatever the values).
    expect(written).toHaveBeenCalledTimes(5);
    expect(shapes.map((s) => queryAndParameters(listLike(s)))).toEqual(expected);
    expect(written).toHaveBeenCalledTimes(5);
  });

  test('a builder with predicates other than text is written by TypeORM every time', () => {
    const byIds = (ids: string[]) =>
      ds
        .getRepository(ConnectionRow)
        .createQueryBuilder('c')
        .where({ id: In(ids) });
    const expected = [['a'], ['b', 'c']].map((ids) => byIds(ids).getQueryAndParameters());
    const written = jest.spyOn(SelectQueryBuilder.prototype, 'getQuery');
    expect([['a'], ['b', 'c']].map((ids) => queryAndParameters(byIds(ids)))).toEqual(expected);
    expect(written).toHaveBeenCalledTimes(2);
  });
});
