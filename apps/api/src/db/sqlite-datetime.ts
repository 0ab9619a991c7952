// Character codes of the separators in "2026-12-01 07:52:26.123".
const DASH = 45;
const SPACE = 32;
const COLON = 58;
const DOT = 46;

/** The digits from `start` to `end` (exclusive) as a number; NaN when one is not a digit. */
function digits(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A datetime as TypeORM writes it into SQLite ("2026-12-01 07:52:26.123": UTC, no zone, milliseconds
 * optional, one to three digits) as a Date, or undefined for any other text (the caller asks the driver).
 * Read field by field: parsing the text as an ISO string after a regular expression cost about twice as much,
 * and a list page reads hundreds of them (issue 15). Years before 100 are left to the driver: Date.UTC would
 * read them as 19xx.
 */
export function sqliteDatetime(v: string): Date | undefined {
  const len = v.length;
  if (len !== 19 && (len < 21 || len > 23)) return undefined;
  if (v.charCodeAt(4) !== DASH || v.charCodeAt(7) !== DASH || v.charCodeAt(10) !== SPACE) return undefined;
  if (v.charCodeAt(13) !== COLON || v.charCodeAt(16) !== COLON) return undefined;
  if (len > 19 && v.charCodeAt(19) !== DOT) return undefined;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 7);
  const day = digits(v, 8, 10);
  const hour = digits(v, 11, 13);
  const minute = digits(v, 14, 16);
  const second = digits(v, 17, 19);
  // ".1" is 100 ms, as in ISO 8601.
  const ms = len > 19 ? digits(v, 20, len) * 10 ** (23 - len) : 0;
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= 31)) return undefined;
  if (!(hour <= 23 && minute <= 59 && second <= 59 && ms >= 0)) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}
