import { and, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { SqlDialect } from './dialect.js';

/**
 * SQL for reading many rows in one statement (the batch methods of the repositories, which the
 * per-request dataloaders call). Lists of IDs are bound as one JSON parameter (src/db/dialect.ts).
 */

/** Where a group's rows are ranked: by `orderBy` within each value of `group`, keeping ranks offset+1 … offset+limit. */
export interface RankedWindow {
  table: SQLiteTable;
  id: SQLiteColumn;
  group: SQLiteColumn;
  groups: readonly number[];
  orderBy: SQL;
  /** Only rows that also match this condition are ranked. */
  filter?: SQL | undefined;
  offset: number;
  limit: number;
}

/**
 * `id IN (…)` for the rows ranked offset+1 … offset+limit within each group (a page of each
 * environment's orders, the latest finished order of each environment …): one statement for every
 * group, where a LIMIT would need one statement per group.
 */
export function rankedWithin(dialect: SqlDialect, w: RankedWindow): SQL {
  const where = and(dialect.inIds(w.group, w.groups), w.filter);
  return sql`${w.id} IN (SELECT ranked_id FROM (SELECT ${w.id} AS ranked_id, row_number() OVER (PARTITION BY ${w.group} ORDER BY ${w.orderBy}) AS ranked_at FROM ${w.table} WHERE ${where}) AS ranked WHERE ranked_at > ${w.offset} AND ranked_at <= ${w.offset + w.limit})`;
}

/** Rows grouped by a key, in the order they came. */
export function groupBy<K, T>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
