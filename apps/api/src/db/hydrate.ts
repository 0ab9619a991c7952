import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { sqliteDatetime } from './sqlite-datetime';

type Convert = (value: unknown) => unknown;
/**
 * An entity's columns with the raw field name each has under an alias (`<alias>_<column>`), built once. A
 * column whose value is used as read (text) has no converter.
 */
type AliasedColumns = { field: string; property: string; convert: Convert | undefined }[];

const columnCache = new WeakMap<DataSource, Map<unknown, Map<string, AliasedColumns>>>();

/**
 * The driver's conversion of one column, with fast paths for the types a list reads on every row (issue 15:
 * TypeORM's generic prepareHydratedValue, two regular expressions per date, was a tenth of the list's CPU).
 * Each fast path gives what the driver gives; anything else (transformers, enums, numbers) goes to the driver.
 */
function converter(ds: DataSource, column: ColumnMetadata): Convert | undefined {
  const viaDriver: Convert = (v) => ds.driver.prepareHydratedValue(v, column);
  if (column.transformer) return viaDriver;
  const { type } = column;
  if (type === Boolean || type === 'boolean') return (v) => (v == null ? v : !!v);
  if (type === 'simple-json') return (v) => (typeof v === 'string' ? JSON.parse(v) : v);
  if (type === String || type === 'varchar' || type === 'text' || type === 'uuid') return undefined;
  if (type === Date || type === 'datetime' || type === 'timestamp' || type === 'timestamptz')
    return (v) => {
      // PostgreSQL's driver hands back Date objects already; SQLite a text that sqliteDatetime reads.
      if (v == null || v instanceof Date) return v;
      return (typeof v === 'string' && sqliteDatetime(v)) || viaDriver(v);
    };
  return viaDriver;
}

function columnsOf(ds: DataSource, target: EntityTarget<ObjectLiteral>, alias: string): AliasedColumns {
  let perSource = columnCache.get(ds);
  if (!perSource) columnCache.set(ds, (perSource = new Map()));
  let perAlias = perSource.get(target);
  if (!perAlias) perSource.set(target, (perAlias = new Map()));
  let columns = perAlias.get(alias);
  if (!columns)
    perAlias.set(
      alias,
      (columns = ds.getMetadata(target).columns.map((column) => ({
        field: `${alias}_${column.databaseName}`,
        property: column.propertyName,
        convert: converter(ds, column),
      }))),
    );
  return columns;
}

/**
 * Turns the `<alias>_<column>` fields of a raw row into an entity-shaped object, converting each value the
 * way the driver does (dates, booleans, simple-json). Cheaper than TypeORM's generic result transformer on
 * hot list queries; columns that were not selected stay undefined.
 */
export function hydrate<T extends ObjectLiteral>(
  ds: DataSource,
  target: EntityTarget<T>,
  raw: Record<string, unknown>,
  alias: string,
): T {
  const out: Record<string, unknown> = {};
  // Field names and converters are built once per alias: a list page reads every column of every row here.
  for (const { field, property, convert } of columnsOf(ds, target, alias)) {
    const value = raw[field];
    if (value !== undefined) out[property] = convert ? convert(value) : value;
  }
  return out as T;
}

/** Reads one entity out of a row read as an array (raw-rows.ts). */
export type RowReader<T> = (row: readonly unknown[]) => T;

// Readers per result index: SQLite's prepared statements keep theirs (raw-rows.ts), so a list page finds its
// readers built; another driver's index is new for each result and its readers are built once per page.
const readerCache = new WeakMap<ReadonlyMap<string, number>, Map<unknown, Map<string, RowReader<unknown>>>>();

/**
 * The reader of the `<alias>_<column>` fields that `index` holds, by position: the columns the statement did
 * not select are left out once here rather than looked up on every row (they stay undefined).
 */
export function rowReader<T extends ObjectLiteral>(
  ds: DataSource,
  target: EntityTarget<T>,
  index: ReadonlyMap<string, number>,
  alias: string,
): RowReader<T> {
  let perIndex = readerCache.get(index);
  if (!perIndex) readerCache.set(index, (perIndex = new Map()));
  let perAlias = perIndex.get(target);
  if (!perAlias) perIndex.set(target, (perAlias = new Map()));
  let reader = perAlias.get(alias);
  if (!reader) perAlias.set(alias, (reader = buildReader(columnsOf(ds, target, alias), index)));
  return reader as RowReader<T>;
}

function buildReader(columns: AliasedColumns, index: ReadonlyMap<string, number>): RowReader<unknown> {
  const present = columns.filter((c) => index.has(c.field));
  const at = present.map((c) => index.get(c.field)!);
  const properties = present.map((c) => c.property);
  const converts = present.map((c) => c.convert);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (let k = 0; k < at.length; k++) {
      const value = row[at[k]!];
      const convert = converts[k];
      out[properties[k]!] = convert ? convert(value) : value;
    }
    return out;
  };
}
