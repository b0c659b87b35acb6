import { sql } from 'drizzle-orm';
import type { Database, QueryDb } from './database.js';

type Values = Record<string, unknown>;

/** A select, once prepared on SQLite: it runs synchronously, with the values of its placeholders. */
interface Prepared<R> {
  all(values: Values): R[];
}

/** Builds the read; `value(key)` stands for the call's value of `key` (a placeholder on SQLite, the value itself on PostgreSQL). */
type Build<R, V extends Values> = (db: QueryDb, value: <K extends keyof V & string>(key: K) => V[K]) => PromiseLike<R[]>;

/**
 * A read of one fixed shape that runs often (a row by its key). On SQLite it is built once per connection with
 * placeholders and prepared: drizzle otherwise builds a query's SQL text again on every call, most of the cost of a
 * point read (the statement itself is compiled once either way: statement-cache.ts). On PostgreSQL it is built with
 * the call's values every time, as any read (a number beyond `integer` is sent as bigint by its value: pg/client.ts).
 * It runs as `database.read` does: in the flow's transaction when one is open.
 */
export function preparedRead<R, V extends Values>(database: Database, build: Build<R, V>): (values: V) => Promise<R[]> {
  if (database.kind !== 'sqlite') return (values) => database.read(async (db) => build(db, (key) => values[key]));
  const prepared = new WeakMap<QueryDb, Prepared<R>>();
  const placeholder = <K extends keyof V & string>(key: K) => sql.placeholder(key) as unknown as V[K];
  return (values) =>
    database.read(async (db) => {
      let query = prepared.get(db);
      if (!query) {
        query = (build(db, placeholder) as unknown as { prepare(): Prepared<R> }).prepare();
        prepared.set(db, query);
      }
      return query.all(values);
    });
}
