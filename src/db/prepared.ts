import type { Db } from './client.js';

/**
 * Builds a repository's prepared queries once per database, on first use (after the migrations):
 * drizzle builds a query's SQL text on every call — for a one-row read, most of its cost — while a
 * prepared query keeps it, with placeholders for the values. For the reads every release pass and
 * every submission makes; the rest build their SQL per call and share compiled statements through
 * the statement cache.
 */
export function perDatabase<T>(make: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) built.set(db, (value = make(db)));
    return value;
  };
}
