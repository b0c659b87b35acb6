/**
 * The SQLite schema (src/db/tables.ts …) and the PostgreSQL schema (src/db/pg/tables.ts …) are two
 * drizzle declarations of one model: one set of repositories runs over both. This test compares
 * them from drizzle's own table metadata (getTableConfig), so that a change to one without the other
 * fails here: the same tables, columns (each in the PostgreSQL type that matches its SQLite type),
 * nullability, defaults, primary keys, indexes (unique or not, partial or not), foreign keys and
 * checks. The row types must be the same too (checked by the type checker, below).
 */
import { is, type SQL } from 'drizzle-orm';
import { getTableConfig as pgConfig, PgDialect, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteSyncDialect, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgTables from '../../src/db/pg/tables.js';
import * as sqliteTables from '../../src/db/tables.js';

/** The PostgreSQL type each SQLite column type is kept as. */
const PG_TYPE_OF: Record<string, string> = {
  SQLiteInteger: 'integer',
  /** integer({ mode: 'timestamp_ms' }): Unix milliseconds, a bigint in PostgreSQL (src/db/pg/columns.ts). */
  SQLiteTimestamp: 'bigint',
  SQLiteBoolean: 'boolean',
  SQLiteText: 'text',
  SQLiteTextJson: 'jsonb',
  SQLiteBlobBuffer: 'bytea',
};

const pgDialect = new PgDialect();
const sqliteDialect = new SQLiteSyncDialect();
/** SQL as text, without the table qualifier PostgreSQL's dialect may add. */
const sqlText = (dialect: PgDialect | SQLiteSyncDialect, value: SQL | undefined) => (value ? dialect.sqlToQuery(value).sql.replace(/"\w+"\./g, '') : null);

/** One table's shape, in the same terms for both databases. */
interface Shape {
  columns: Record<string, { type: string; notNull: boolean; default: unknown; enum: string[] | null; generated: boolean }>;
  primaryKey: string[];
  indexes: Record<string, { columns: string[]; unique: boolean; where: string | null }>;
  foreignKeys: Array<{ columns: string[]; table: string; foreignColumns: string[]; onDelete: string | undefined }>;
  checks: Record<string, string | null>;
}

function sqliteShape(table: SQLiteTable): Shape {
  const c = sqliteConfig(table);
  const columns: Shape['columns'] = {};
  for (const col of c.columns) {
    const type = PG_TYPE_OF[col.columnType];
    if (!type) throw new Error(`${c.name}.${col.name}: no PostgreSQL type is known for ${col.columnType}: add it to PG_TYPE_OF`);
    columns[col.name] = { type, notNull: col.notNull, default: col.default, enum: col.enumValues ?? null, generated: (col as { autoIncrement?: boolean }).autoIncrement === true };
  }
  const keyed = c.columns.filter((col) => col.primary).map((col) => col.name);
  return {
    columns,
    primaryKey: keyed.length ? keyed : (c.primaryKeys[0]?.columns.map((col) => col.name) ?? []),
    indexes: Object.fromEntries(
      c.indexes.map((i) => [i.config.name, { columns: i.config.columns.map((col) => (col as { name: string }).name), unique: i.config.unique, where: sqlText(sqliteDialect, i.config.where) }]),
    ),
    foreignKeys: c.foreignKeys.map((f) => {
      const r = f.reference();
      return { columns: r.columns.map((col) => col.name), table: sqliteConfig(r.foreignTable).name, foreignColumns: r.foreignColumns.map((col) => col.name), onDelete: f.onDelete };
    }),
    checks: Object.fromEntries(c.checks.map((k) => [k.name, sqlText(sqliteDialect, k.value)])),
  };
}

function pgShape(table: PgTable): Shape {
  const c = pgConfig(table);
  const columns: Shape['columns'] = {};
  for (const col of c.columns) {
    columns[col.name] = { type: col.getSQLType(), notNull: col.notNull, default: col.default, enum: col.enumValues ?? null, generated: col.generatedIdentity !== undefined };
  }
  const keyed = c.columns.filter((col) => col.primary).map((col) => col.name);
  return {
    columns,
    primaryKey: keyed.length ? keyed : (c.primaryKeys[0]?.columns.map((col) => col.name) ?? []),
    indexes: Object.fromEntries(
      c.indexes.map((i) => [i.config.name!, { columns: i.config.columns.map((col) => (col as { name: string }).name), unique: i.config.unique, where: sqlText(pgDialect, i.config.where) }]),
    ),
    foreignKeys: c.foreignKeys.map((f) => {
      const r = f.reference();
      return { columns: r.columns.map((col) => col.name), table: pgConfig(r.foreignTable).name, foreignColumns: r.foreignColumns.map((col) => col.name), onDelete: f.onDelete };
    }),
    checks: Object.fromEntries(c.checks.map((k) => [k.name, sqlText(pgDialect, k.value)])),
  };
}

const byName = <T>(tables: T[], name: (t: T) => string) => new Map(tables.map((t) => [name(t), t]));
const sqlite = byName((Object.values(sqliteTables) as unknown[]).filter((v): v is SQLiteTable => is(v, SQLiteTable)), (t) => sqliteConfig(t).name);
const pg = byName((Object.values(pgTables) as unknown[]).filter((v): v is PgTable => is(v, PgTable)), (t) => pgConfig(t).name);

describe('the SQLite and PostgreSQL schemas', () => {
  it('have the same tables', () => {
    expect([...pg.keys()].sort()).toEqual([...sqlite.keys()].sort());
    expect(sqlite.size).toBeGreaterThanOrEqual(11);
  });

  it.each([...sqlite.keys()].sort())('%s: same columns, types, nullability, defaults, keys, indexes, foreign keys and checks', (name) => {
    const table = pg.get(name);
    expect(table, `src/db/pg/ has no table ${name}`).toBeDefined();
    const want = sqliteShape(sqlite.get(name)!);
    const got = pgShape(table!);
    expect(got.columns).toEqual(want.columns);
    expect(got.primaryKey).toEqual(want.primaryKey);
    expect(got.indexes).toEqual(want.indexes);
    expect(got.foreignKeys).toEqual(want.foreignKeys);
    expect(got.checks).toEqual(want.checks);
  });

  it('notices a difference (the comparison is not blind)', () => {
    const apps = pgShape(pgTables.apps);
    const sqliteApps = sqliteShape(sqliteTables.apps);
    expect(pgShape(pgTables.templates)).not.toEqual(sqliteApps);
    expect(apps.columns).toEqual(sqliteApps.columns);
    expect({ ...apps.columns, name: { ...apps.columns.name!, notNull: false } }).not.toEqual(sqliteApps.columns);
    expect(sqliteShape(sqliteTables.releaseOrders).indexes.release_orders_one_active!.where).toContain("state IN ('DEPLOYING'");
  });
});

// The rows read from either database have the same TypeScript types: one set of repositories serves both.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameRows: Array<true> = [
  true as Same<pgTables.AppRow, sqliteTables.AppRow>,
  true as Same<pgTables.EnvironmentRow, sqliteTables.EnvironmentRow>,
  true as Same<pgTables.DeploymentConfigRow, sqliteTables.DeploymentConfigRow>,
  true as Same<pgTables.TemplateRow, sqliteTables.TemplateRow>,
  true as Same<pgTables.RevisionRow, sqliteTables.RevisionRow>,
  true as Same<pgTables.ReleaseOrderRow, sqliteTables.ReleaseOrderRow>,
  true as Same<pgTables.OrderTransitionRow, sqliteTables.OrderTransitionRow>,
  true as Same<pgTables.InstanceFailureRow, sqliteTables.InstanceFailureRow>,
  true as Same<pgTables.ApiTokenRow, sqliteTables.ApiTokenRow>,
  true as Same<pgTables.AppMemberRow, sqliteTables.AppMemberRow>,
  true as Same<pgTables.AuditEntryRow, sqliteTables.AuditEntryRow>,
];
void sameRows;
