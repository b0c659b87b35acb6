/**
 * A preload for cairn's process (`node --import tsx --import bench/lib/sql-count.ts src/main.ts`):
 * counts the SQL statements better-sqlite3 runs (run, get, all, iterate, exec; PRAGMAs apart) and prepares, and
 * writes the counts as JSON to $CAIRN_BENCH_SQL_COUNT_FILE every 100 ms while they change. cairn
 * exposes no statement counter of its own; this counts from outside its code, at the driver.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const file = process.env.CAIRN_BENCH_SQL_COUNT_FILE;
if (file) {
  // PRAGMA reads (the data version cairn's caches compare) are counted apart from the statements that read or write rows.
  const counts = { statements: 0, prepares: 0, pragmas: 0 };
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statement[method]!;
    statement[method] = function (this: { source?: string }, ...args: unknown[]) {
      if (this.source?.startsWith('PRAGMA')) counts.pragmas++;
      else counts.statements++;
      return original.apply(this, args);
    };
  }
  const database = Database.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const prepare = database.prepare!;
  database.prepare = function (this: unknown, ...args: unknown[]) {
    counts.prepares++;
    return prepare.apply(this, args);
  };
  const exec = database.exec!;
  database.exec = function (this: unknown, ...args: unknown[]) {
    counts.statements++;
    return exec.apply(this, args);
  };
  let written = '';
  setInterval(() => {
    const text = JSON.stringify(counts);
    if (text === written) return;
    writeFileSync(file, text);
    written = text;
  }, 100).unref();
}
