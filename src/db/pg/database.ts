import type { Database, QueryDb } from '../database.js';
import { postgresDialect } from '../dialect.js';
import { flowTransactions } from '../flow.js';
import { pgTables } from '../table-set.js';
import { openPgDatabase, type PgDatabaseOptions } from './client.js';

/** How many times a transaction that failed to serialize (or was picked to break a deadlock) is run again. */
const ATTEMPTS = 5;

/** PostgreSQL's serialization_failure and deadlock_detected: the transaction may succeed if run again. */
function isRetryable(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '40001' || code === '40P01') return true;
  }
  return false;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * cairn's database on PostgreSQL (CAIRN_DATABASE_URL): a pool with every wait bounded (src/db/pg/client.ts),
 * migrated at open (one replica at a time). Transactions are SERIALIZABLE — the guarantee SQLite's single writer
 * gives, so the repositories' read-then-write rules hold across replicas — and one that fails to serialize is
 * run again (up to 5 times, with a short random pause). Reads and writes outside a transaction use the pool.
 */
export async function openPostgresDatabase(url: string, options: PgDatabaseOptions = {}): Promise<Database> {
  const opened = await openPgDatabase(url, options);
  const root = opened.db as unknown as QueryDb;
  const flows = flowTransactions<QueryDb>(options.statementTimeoutMs ?? 10_000);
  let written = 0;
  let executed = 0;

  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    const open = flows.current();
    if (open) {
      // A savepoint inside the flow's transaction (drizzle nests as SAVEPOINT), one at a time at each level.
      return open.join(() =>
        open.savepoints.run(() =>
          (open.db as unknown as { transaction<R>(f: (tx: QueryDb) => Promise<R>): Promise<R> }).transaction((tx) => flows.within({ db: tx, depth: open.depth + 1 }, fn)),
        ),
      );
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await opened.db.transaction((tx) => flows.within({ db: tx as unknown as QueryDb, depth: 0 }, fn), { isolationLevel: 'serializable' });
        written += 1;
        return result;
      } catch (error) {
        if (attempt >= ATTEMPTS || !isRetryable(error)) throw error;
        await pause(2 + Math.random() * 10 * attempt);
      }
    }
  }

  return {
    kind: 'postgres',
    dialect: postgresDialect,
    t: pgTables,
    pool: opened.pool,
    read(fn) {
      executed += 1;
      const open = flows.current();
      return open ? open.join(() => fn(open.db)) : fn(root);
    },
    write(fn) {
      executed += 1;
      // Its own transaction; in the flow's transaction, a savepoint: a failed statement aborts a PostgreSQL
      // transaction, so without one a caller that catches a write's error (a unique violation) could not go on.
      return transaction(() => fn(flows.current()!.db));
    },
    transaction,
    inTransaction: () => flows.current() !== undefined,
    statements: () => ({ prepared: 0, executed, written, cached: 0 }),
    async ping() {
      await opened.pool.query('SELECT 1');
    },
    close: () => opened.close(),
  };
}
