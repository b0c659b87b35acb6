import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { migratePg } from './migrate.js';
import * as tables from './tables.js';

export type PgDb = NodePgDatabase<typeof tables>;

export interface PgDatabaseOptions {
  /** Connections at most (default 10). */
  maxConnections?: number;
  /** How long getting a connection may take, connecting included (default 5 s). */
  connectTimeoutMs?: number;
  /** How long one statement may run: the server cancels it (statement_timeout) and the client stops waiting (default 10 s). */
  statementTimeoutMs?: number;
  /** How long a statement may wait for a row lock (default 5 s). */
  lockTimeoutMs?: number;
  /** A transaction idle this long (a stuck flow holding locks) is ended by the server (default 30 s). */
  idleInTransactionTimeoutMs?: number;
  /**
   * Migrating at start (waiting for another replica's migration included) may take this long (default 60 s). It runs
   * on a connection of its own with this as its timeouts, so `statementTimeoutMs` does not cut it (src/db/pg/migrate.ts).
   */
  migrateTimeoutMs?: number;
  /** Told about an idle connection that failed (the server restarted, the network dropped it); the pool replaces it. */
  onIdleError?: (error: Error) => void;
}

export interface OpenPgDatabase {
  db: PgDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * bigint (int8) as a JavaScript number, as SQLite gives its integers: times in milliseconds (src/db/pg/columns.ts),
 * `count(*)` and `sum()`. node-postgres gives strings by default; a value beyond 2^53 fails loudly instead of rounding.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`a bigint from PostgreSQL (${text}) is beyond JavaScript's safe integers`);
  return n;
}
const INT8_OID = 20;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

/** The pool's settings for `url` (exported for tests). Every wait is bounded: connecting, each statement, each lock, an idle transaction. */
export function poolConfig(url: string, options: PgDatabaseOptions = {}): pg.PoolConfig {
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  return {
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: statementTimeoutMs,
    // The client gives up a little after the server would have cancelled: a lost connection cannot hang a flow.
    query_timeout: statementTimeoutMs + 1_000,
    lock_timeout: options.lockTimeoutMs ?? 5_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'cairn',
    types,
  };
}

/**
 * Connects to the PostgreSQL database at `url` (a pool), applies every pending migration (one replica at a time,
 * src/db/pg/migrate.ts) and returns drizzle over it with src/db/pg/tables.ts (the Database of src/db/pg/database.ts
 * wraps it).
 */
export async function openPgDatabase(url: string, options: PgDatabaseOptions = {}): Promise<OpenPgDatabase> {
  const pool = new pg.Pool(poolConfig(url, options));
  // Without a listener, an idle connection's error (a server restart) would end the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  // A connection in use can lose its session too (the server's idle-in-transaction limit, a restart): node-postgres then
  // emits 'error' on that client, and an 'error' event nobody listens to ends the process. The flow using it sees its
  // query fail; this listener only keeps the process up (and tells the same callback).
  pool.on('connect', (client) => client.on('error', (error) => options.onIdleError?.(error)));
  try {
    await migratePg(pool, { timeoutMs: options.migrateTimeoutMs ?? 60_000 });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  let closed: Promise<void> | undefined;
  const db = drizzle({ client: pool, schema: tables });
  bigIntegersAsBigint(db);
  return { db, pool, close: () => (closed ??= pool.end()) };
}

const INT4 = 2 ** 31;

/**
 * A number parameter beyond PostgreSQL's `integer` (a decoded ID of 2^40, a cursor's id) is sent as `$n::bigint`.
 * PostgreSQL types a parameter by its place (`id = $1` makes it an integer) and refuses the value, where SQLite
 * simply finds no row: the same lookup must find nothing on both, not fail. Writing such a value into an integer
 * column still fails ("integer out of range"), as it should.
 */
export function bigIntegersAsBigint(db: PgDb): void {
  const dialect = (db as unknown as { dialect: { escapeParam(num: number, value?: unknown): string } }).dialect;
  const escape = dialect.escapeParam.bind(dialect);
  dialect.escapeParam = (num, value) =>
    typeof value === 'number' && Number.isInteger(value) && (value >= INT4 || value < -INT4) ? `${escape(num, value)}::bigint` : escape(num, value);
}
