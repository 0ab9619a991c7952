import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { QueryExpressionMap } from 'typeorm/query-builder/QueryExpressionMap';

/**
 * The SQL text TypeORM writes for each shape of SELECT, kept per data source. Writing it (selections, aliases,
 * property names replaced over the whole text) was a twelfth of a list page's CPU (issue 15), and a list takes
 * few shapes: the text with its `:named` parameters is written once per shape, and each request only binds its
 * own values, as getQueryAndParameters() would.
 */
const MAX_SHAPES = 64;
const texts = new WeakMap<DataSource, Map<string, string>>();

/**
 * What the text of `qb` depends on, or undefined for a builder that uses more than this reads: selections,
 * joins, string predicates, order, limit and offset. Anything else (object or bracketed predicates, grouping,
 * locks, sub-queries, skip/take) is written by TypeORM every time, so nothing that changes the text can be
 * missed here.
 */
function shapeOf(e: QueryExpressionMap): string | undefined {
  const main = e.mainAlias;
  if (e.queryType !== 'select' || !main?.hasMetadata || main.subQuery || e.subQuery) return undefined;
  if (e.aliases.some((a) => a.type === 'from' && a !== main)) return undefined;
  if (e.commonTableExpressions.length || e.relationIdAttributes.length || e.groupBys.length) return undefined;
  if (e.havings.length || e.selectDistinct || e.selectDistinctOn.length || e.lockMode) return undefined;
  if (e.skip !== undefined || e.take !== undefined || e.comment || e.timeTravel || e.useIndex)
    return undefined;
  if (e.extraAppendedAndWhereCondition || e.maxExecutionTime) return undefined;
  const parts: string[] = [main.name, main.metadata.tablePath, String(e.withDeleted)];
  parts.push(String(e.aliasNamePrefixingEnabled), String(e.disableEscaping), e.options.join());
  for (const s of e.selects) parts.push(`select ${s.selection} ${s.aliasName ?? ''}`);
  for (const j of e.joinAttributes) {
    const joined = typeof j.entityOrProperty === 'string' ? j.entityOrProperty : j.metadata?.tablePath;
    if (j.alias.subQuery || joined === undefined) return undefined;
    parts.push(`join ${j.direction} ${joined} ${j.alias.name} ${j.condition ?? ''} ${j.mapToProperty ?? ''}`);
  }
  for (const w of e.wheres) {
    if (typeof w.condition !== 'string') return undefined;
    parts.push(`where ${w.type} ${w.condition}`);
  }
  parts.push(JSON.stringify(e.orderBys), `limit ${e.limit} offset ${e.offset}`);
  return parts.join('\n');
}

/** getQueryAndParameters(), with the text written once per shape (see above). */
export function queryAndParameters(qb: SelectQueryBuilder<ObjectLiteral>): [string, unknown[]] {
  const key = shapeOf(qb.expressionMap);
  if (key === undefined) return qb.getQueryAndParameters();
  const ds = qb.dataSource;
  let cache = texts.get(ds);
  if (!cache) texts.set(ds, (cache = new Map()));
  let text = cache.get(key);
  if (text === undefined) {
    const before = Object.keys(qb.getParameters()).join();
    text = qb.getQuery();
    // A shape whose writing adds parameters of its own would need them every time: not kept.
    if (Object.keys(qb.getParameters()).join() === before) {
      // Oldest first out: a Map keeps insertion order.
      if (cache.size >= MAX_SHAPES) cache.delete(cache.keys().next().value!);
      cache.set(key, text);
    }
  }
  return ds.driver.escapeQueryWithParameters(text, qb.getParameters());
}
