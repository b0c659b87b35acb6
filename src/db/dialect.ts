import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * The few pieces of SQL that differ between SQLite and PostgreSQL, in one place. Everything else the
 * repositories write is the SQL both accept (drizzle's builders, awaited; RETURNING; ON CONFLICT).
 *
 * Lists of IDs are bound as ONE JSON parameter, not one placeholder per ID: the SQL text is then the same
 * for any number of IDs (one compiled statement, one prepared plan) and no limit on bound variables
 * applies. Both databases still look each ID up by the column's index.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** `column IN (ids)`, the IDs bound as one JSON array. */
  inIds(column: SQLiteColumn, ids: readonly number[]): SQL;
  /** `column IN (ids)` with the JSON array of IDs given as it is bound: a string, or a placeholder of a prepared query. */
  inIdsJson(column: SQLiteColumn, json: string | Placeholder): SQL;
  /** `(a, b) IN (pairs)`, the pairs bound as one JSON array of two-element arrays. */
  pairsIn(a: SQLiteColumn, b: SQLiteColumn, pairs: readonly (readonly [number, number])[]): SQL;
  /**
   * `column` starts with `prefix`, taken literally (LIKE's `%`, `_` and `\` escaped) and ignoring ASCII case: SQLite's
   * LIKE ignores it, PostgreSQL's does not (ILIKE does).
   */
  startsWith(column: SQLiteColumn, prefix: string): SQL;
  /**
   * A text column to ORDER BY in code-point order, as SQLite's BINARY collation and JavaScript's `<` sort: a
   * PostgreSQL database may collate by a language's rules (glibc's en_US ignores '-' at first), which would order
   * pages differently from SQLite and from the lists sorted in code.
   */
  codePoints(column: SQLiteColumn): SQL;
}

/** A LIKE pattern for names starting with `prefix`, its wildcards escaped with `\`. */
export const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  inIds: (column, ids) => sqliteDialect.inIdsJson(column, JSON.stringify(ids)),
  inIdsJson: (column, json) => sql`${column} IN (SELECT value FROM json_each(${json}))`,
  pairsIn: (a, b, pairs) => sql`(${a}, ${b}) IN (SELECT value ->> 0, value ->> 1 FROM json_each(${JSON.stringify(pairs)}))`,
  startsWith: (column, prefix) => sql`${column} LIKE ${likePrefix(prefix)} ESCAPE '\\'`,
  codePoints: (column) => sql`${column}`,
};

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  inIds: (column, ids) => postgresDialect.inIdsJson(column, JSON.stringify(ids)),
  inIdsJson: (column, json) => sql`${column} IN (SELECT value::bigint FROM jsonb_array_elements_text(${json}::jsonb))`,
  pairsIn: (a, b, pairs) =>
    sql`(${a}, ${b}) IN (SELECT (value ->> 0)::bigint, (value ->> 1)::bigint FROM jsonb_array_elements(${JSON.stringify(pairs)}::jsonb))`,
  startsWith: (column, prefix) => sql`${column} ILIKE ${likePrefix(prefix)} ESCAPE '\\'`,
  codePoints: (column) => sql`${column} COLLATE "C"`,
};
