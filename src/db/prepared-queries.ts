import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Database, QueryDb } from './database.js';

type Values = Record<string, unknown>;

/** A query, once prepared on SQLite: it runs synchronously, with the values of its placeholders. */
interface Prepared<R> {
  all(values: Values): R[];
}

/** Builds the query; `value(key)` stands for the call's value of `key` (a placeholder on SQLite, the value itself on PostgreSQL). */
type Build<R, V extends Values> = (db: QueryDb, value: <K extends keyof V & string>(key: K) => V[K]) => PromiseLike<R[]>;

/**
 * A query of one fixed shape that runs often. On SQLite it is built once per connection with placeholders and
 * prepared: drizzle otherwise builds a query's SQL text again on every call, most of the cost of a point read and
 * about half of a small write's (the statement itself is compiled once either way: statement-cache.ts). A value
 * given for a column (an insert's or an update's) is turned into what the column stores as it would be inline
 * (a date, a boolean, JSON). On PostgreSQL it is built with the call's values every time, as any query (a number
 * beyond `integer` is sent as bigint by its value: pg/client.ts).
 */
function prepared<R, V extends Values>(database: Database, run: Database['read'], build: Build<R, V>): (values: V) => Promise<R[]> {
  if (database.kind !== 'sqlite') return (values) => run(async (db) => build(db, (key) => values[key]));
  const byConnection = new WeakMap<QueryDb, Prepared<R>>();
  const placeholder = <K extends keyof V & string>(key: K) => sql.placeholder(key) as unknown as V[K];
  return (values) =>
    run(async (db) => {
      let query = byConnection.get(db);
      if (!query) {
        query = (build(db, placeholder) as unknown as { prepare(): Prepared<R> }).prepare();
        byConnection.set(db, query);
      }
      return query.all(values);
    });
}

/** A read of one fixed shape (a row by its key); it runs as `database.read` does: in the flow's transaction when one is open. */
export function preparedRead<R, V extends Values>(database: Database, build: Build<R, V>): (values: V) => Promise<R[]> {
  return prepared(database, (fn) => database.read(fn), build);
}

/**
 * A write of one fixed shape run in the calling flow's open transaction, without a savepoint of its own: for a caller
 * that already holds one (inside `database.write`) and writes more than one statement in it. Outside a transaction it
 * throws (it would otherwise run on SQLite's read-only connection).
 */
export function preparedInTransaction<R, V extends Values>(database: Database, build: Build<R, V>): (values: V) => Promise<R[]> {
  return prepared(
    database,
    (fn) => {
      if (!database.inTransaction()) return Promise.reject(new Error('preparedInTransaction: no transaction is open'));
      return database.read(fn);
    },
    build,
  );
}

/**
 * A write of one fixed shape (an INSERT of every column, an UPDATE of the same columns) that answers its rows with
 * RETURNING; it runs as `database.write` does: a transaction of its own, or a savepoint of the flow's. Give every
 * placeholder its value, the column's default included: undefined would be bound as NULL on SQLite where drizzle
 * writes the default when it builds the values inline (PostgreSQL, and any query built on each call).
 */
export function preparedWrite<R, V extends Values>(database: Database, build: Build<R, V>): (values: V) => Promise<R[]> {
  return prepared(database, (fn) => database.write(fn), build);
}

/**
 * A read of the rows whose `column` is one of the given IDs (the dataloaders' batch reads): `idIn(column)` stands for
 * `column IN (the IDs)`, bound as one JSON array (dialect.ts), so the query has one shape whatever the number of IDs
 * and is prepared once per connection on SQLite like any preparedRead (drizzle built a batch read's SQL again on every
 * call: ~100 µs of the ~110 µs such a read cost). No IDs: no query.
 */
export function preparedByIds<R>(database: Database, build: (db: QueryDb, idIn: (column: SQLiteColumn) => SQL) => PromiseLike<R[]>): (ids: readonly number[]) => Promise<R[]> {
  const read = preparedRead<R, { ids: string }>(database, (db, value) => build(db, (column) => database.dialect.inIdsJson(column, value('ids'))));
  return (ids) => (ids.length ? read({ ids: JSON.stringify(ids) }) : Promise.resolve([]));
}
