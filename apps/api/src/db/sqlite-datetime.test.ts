import { sqliteDatetime } from './sqlite-datetime';

// What the driver path read these as before: the text as an ISO 8601 instant in UTC.
const asIso = (v: string) => new Date(`${v.replace(' ', 'T')}Z`);

describe('sqliteDatetime', () => {
  test.each([
    '2026-12-01 07:52:26.123',
    '2026-12-01 07:52:26.12',
    '2026-12-01 07:52:26.1',
    '2026-12-01 07:52:26',
    '2024-02-29 23:59:59.999',
    '1999-12-31 00:00:00.000',
    '0100-01-01 00:00:00',
  ])('reads %s as the same instant as the ISO parse', (v) => {
    expect(sqliteDatetime(v)?.toISOString()).toBe(asIso(v).toISOString());
  });

  test('reads a run of instants exactly', () => {
    for (let t = Date.UTC(1970, 0, 1); t < Date.UTC(2100, 0, 1); t += 987_654_321_7) {
      const v = new Date(t).toISOString().replace('T', ' ').slice(0, 23);
      expect(sqliteDatetime(v)?.getTime()).toBe(t);
    }
  });

  test.each([
    '2026-12-01T07:52:26.123Z',
    '2026-12-01 07:52:26.',
    '2026-12-01 07:52:26.1234',
    '2026-12-01 07:52',
    '2026-13-01 07:52:26',
    '2026-12-01 24:00:00',
    '2026-12-01 07:60:26',
    '2026-1a-01 07:52:26',
    '0099-12-31 07:52:26',
    '',
  ])('leaves %j to the driver', (v) => {
    expect(sqliteDatetime(v)).toBeUndefined();
  });
});
