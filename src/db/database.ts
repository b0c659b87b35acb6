import type BetterSqlite3 from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type pg from 'pg';
import type { SqlDialect } from './dialect.js';
import type { StatementCounts } from './statement-cache.js';
import type { Tables } from './table-set.js';
import type * as tables from './tables.js';

/**
 * The query builder the repositories write with. Its TYPE is drizzle's SQLite one; on PostgreSQL it is drizzle's
 * node-postgres builder over the tables of `Database.t` (the same names, columns and row types). Repositories
 * use only what both builders do alike, always awaited: select/insert/update/delete, where, orderBy, limit,
 * offset, groupBy, returning, onConflictDoUpdate/DoNothing — never `.get()`, `.all()`, `.run()` or
 * `.prepare()`, which are SQLite's own (test/db/repository-sql.test.ts fails on them).
 */
export type QueryDb = BetterSQLite3Database<typeof tables>;

/**
 * cairn's database, SQLite (embedded, the default) or PostgreSQL (several replicas), behind one async interface.
 *
 * Transactions are AMBIENT: `transaction(fn)` runs `fn` with the flow's transaction open, and every `read` or
 * `write` made by that async flow (through any repository) runs inside it — so callers do not pass a
 * transaction handle down. A `transaction` inside another nests as a savepoint; savepoints started together
 * (`Promise.all`) take turns. A transaction ends only once every statement it started has settled, even when its
 * body settled first (a `Promise.all` rejected at its first failure). Work the transaction scheduled that starts
 * after it ended (a timer) is outside it.
 *
 * `fn` must touch only the database: on PostgreSQL a transaction that fails to serialize (another replica wrote
 * the same rows) is run again from the start, up to a few times.
 */
export interface Database {
  readonly kind: 'sqlite' | 'postgres';
  readonly dialect: SqlDialect;
  /** The tables of this database's dialect, by name. */
  readonly t: Tables;
  /** Runs one read: in the flow's transaction when one is open, else on its own (never seeing another flow's uncommitted rows). */
  read<T>(fn: (db: QueryDb) => Promise<T>): Promise<T>;
  /**
   * Runs one write, all its statements or none: in a transaction of its own, or when the flow has one open, in a
   * savepoint of it (a write that failed — a unique violation — leaves nothing, and the transaction may go on: a
   * failed statement would otherwise abort a whole PostgreSQL transaction).
   */
  write<T>(fn: (db: QueryDb) => Promise<T>): Promise<T>;
  /** Runs `fn` all-or-nothing (SQLite: BEGIN IMMEDIATE, one at a time; PostgreSQL: SERIALIZABLE, retried on a serialization failure). */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * PostgreSQL: sends a notification to every replica listening on `channel` (NOTIFY). Inside the flow's transaction it
   * is part of it: delivered when (and only if) the transaction commits, so what it announces and the change itself
   * are never apart. Outside one, sent at once. Absent on SQLite (one process: nothing to tell).
   */
  announce?(channel: string, payload: string): Promise<void>;
  /** Whether the calling flow is inside a transaction of this database. */
  inTransaction(): boolean;
  /** Statements compiled and executed so far (SQLite's statement cache; zeros on PostgreSQL). */
  statements(): StatementCounts;
  /** Answers when the database answers one trivial query (bounded); throws otherwise. */
  ping(): Promise<void>;
  /**
   * Write transactions this process committed or rolled back (SQLite), counted once each has ended: with `statements().written`
   * (which moves at each statement, before its commit) a version of the data that a read can trust — a read made while a write
   * was still open moves it again when the write commits.
   */
  commits?(): number;
  /** A counter that changes when another process committed (SQLite's data_version); undefined on PostgreSQL, which notifies instead. */
  changeCounter?(): number;
  close(): Promise<void>;
  /** The SQLite connection that writes (SQLite only): for pragmas and the tests that inspect the file. */
  readonly sqlite?: BetterSqlite3.Database;
  /** The connection pool (PostgreSQL only). */
  readonly pool?: pg.Pool;
}

export interface TransactionOptions {
  /**
   * PostgreSQL: not in the replica's turn — for the engine lease's own one-row writes, which must not wait behind a burst
   * of other transactions (a renewal later than a third of the lease loses it). SQLite has one writer: ignored.
   */
  apart?: boolean;
}

/** Waiting for the database took longer than allowed (another flow's transaction is slow or stuck). */
export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
  readonly code = 'DATABASE_BUSY';
}
