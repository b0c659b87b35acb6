import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { DatabaseBusyError, type Database, type QueryDb, type TransactionOptions } from '../database.js';
import { postgresDialect } from '../dialect.js';
import { flowTransactions, turns } from '../flow.js';
import { pgTables } from '../table-set.js';
import { openPgDatabase, type PgDatabaseOptions } from './client.js';
import { CHANNELS, createNotifications, type Notifications, type NotificationsOptions } from './notifications.js';

/** How many times a transaction that failed to serialize (or was picked to break a deadlock) is run again. */
/** Attempts of a transaction that fails to serialize (40001) or deadlocks (40P01), then DatabaseBusyError. */
const ATTEMPTS = 10;
/** The longest pause between two attempts (about 1.3 s over all of them at most). */
const MAX_PAUSE_MS = 250;

/** PostgreSQL's serialization_failure and deadlock_detected: the transaction may succeed if run again. */
function isRetryable(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '40001' || code === '40P01') return true;
  }
  return false;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The PostgreSQL database with its LISTEN connection, which the replicated order and token events share. */
/** drizzle's node-postgres builder runs a plain SQL statement with `execute`. */
interface PgExecutor {
  execute(query: ReturnType<typeof sql>): Promise<unknown>;
}

export interface PostgresDatabase extends Database {
  readonly kind: 'postgres';
  /** cairn's notifications (one dedicated LISTEN connection; NOTIFY through the pool). Closed by `close()`. */
  readonly notifications: Notifications;
  /** This process's name in its own notifications (the change counter skips them). */
  readonly origin: string;
  changeCounter(): number;
  announce(channel: string, payload: string): Promise<void>;
}

/** The database's notifications when it is PostgreSQL (replicas share them), else null (SQLite: one process). */
export function notificationsOf(database: Database): Notifications | null {
  return database.kind === 'postgres' && 'notifications' in database ? (database as PostgresDatabase).notifications : null;
}

export interface PostgresDatabaseOptions extends PgDatabaseOptions {
  /** Settings of the LISTEN connection (reconnect backoff, heartbeat); its URL and pool are the database's. */
  notifications?: Omit<NotificationsOptions, 'url' | 'pool'>;
}

/**
 * cairn's database on PostgreSQL (CAIRN_DATABASE_URL): a pool with every wait bounded (src/db/pg/client.ts),
 * migrated at open (one replica at a time). Transactions are SERIALIZABLE — the guarantee SQLite's single writer
 * gives, so the repositories' read-then-write rules hold across replicas — and one that fails to serialize is
 * run again (up to 10 attempts, with a growing random pause; then DatabaseBusyError). Reads and writes outside a
 * transaction use the pool.
 */
export async function openPostgresDatabase(url: string, options: PostgresDatabaseOptions = {}): Promise<PostgresDatabase> {
  const opened = await openPgDatabase(url, options);
  // The change counter: every committed transaction that wrote, of every replica, NOTIFYs cairn_changes (in the transaction,
  // so at its commit, never on rollback); the counter counts the other replicas' ones, and a lost LISTEN connection
  // (writes may have been missed) — this process's own writes are in statements().written.
  const origin = randomBytes(6).toString('base64url');
  const notifications = createNotifications({ connectTimeoutMs: options.connectTimeoutMs, ...options.notifications, url, pool: opened.pool });
  let changes = 0;
  notifications.listen(CHANNELS.changes, (payload) => {
    if (payload !== origin) changes += 1;
  });
  notifications.onGap(() => (changes += 1));
  try {
    await notifications.ready();
  } catch (error) {
    await notifications.close();
    await opened.close().catch(() => undefined);
    throw error;
  }
  const root = opened.db as unknown as QueryDb;
  const flows = flowTransactions<QueryDb>(options.statementTimeoutMs ?? 10_000);
  // This replica's transactions run one at a time, in order (a bounded wait, then DatabaseBusyError), as on SQLite.
  // SERIALIZABLE transactions that overlap abort each other on any read/write overlap — and on small tables PostgreSQL
  // tracks reads per index page or whole table, so concurrent submissions for DIFFERENT environments conflicted too: a
  // dozen at once exhausted every retry. In turn, a replica's own transactions never overlap; only another replica's
  // can conflict with one (retried). Reads outside a transaction still run at once, on the pool.
  const line = turns(options.statementTimeoutMs ?? 10_000);
  let written = 0;
  let executed = 0;

  async function transaction<T>(fn: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const open = flows.current();
    if (open) {
      // A savepoint inside the flow's transaction (drizzle nests as SAVEPOINT), one at a time at each level.
      return open.join(() =>
        open.savepoints.run(() =>
          (open.db as unknown as { transaction<R>(f: (tx: QueryDb) => Promise<R>): Promise<R> }).transaction((tx) => flows.within({ db: tx, depth: open.depth + 1 }, fn)),
        ),
      );
    }
    return options.apart ? attempts(fn) : line.run(() => attempts(fn));
  }

  /** Runs `fn` in a SERIALIZABLE transaction, again while it fails to serialize (a conflict with another replica's). */
  async function attempts<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        let wrote = false;
        const result = await opened.db.transaction(
          async (tx) => {
            wrote = false; // (a new attempt)
            const value = await flows.within({ db: tx as unknown as QueryDb, depth: 0 }, fn);
            // Delivered to every replica when (and only if) this transaction commits — and only sent when it changed
            // something: a transaction gets an ID at its first row written or locked, not for reads nor for an UPDATE
            // that matched nothing (a follower's lease attempt), so those wake no one.
            const sent = (await tx.execute(sql`SELECT pg_notify(${CHANNELS.changes}, ${origin}) WHERE txid_current_if_assigned() IS NOT NULL`)) as unknown as {
              rowCount?: number | null;
            };
            wrote = (sent.rowCount ?? 0) > 0;
            return value;
          },
          { isolationLevel: 'serializable' },
        );
        // This replica's own writes (its answer caches depend on them): only transactions that changed something.
        if (wrote) written += 1;
        return result;
      } catch (error) {
        if (!isRetryable(error)) throw error;
        if (attempt >= ATTEMPTS) {
          throw new DatabaseBusyError(`the database could not order this transaction among concurrent ones in ${ATTEMPTS} attempts (others wrote what it read); try again`, { cause: error });
        }
        // Full jitter, growing: transactions that failed together do not all come back together.
        await pause(Math.random() * Math.min(MAX_PAUSE_MS, 4 * 2 ** attempt));
      }
    }
  }

  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    notifications,
    origin,
    changeCounter: () => changes,
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
    announce(channel, payload) {
      const send = (db: QueryDb) => (db as unknown as PgExecutor).execute(sql`SELECT pg_notify(${channel}, ${payload})`).then(() => undefined);
      const open = flows.current();
      return open ? open.join(() => send(open.db)) : send(root);
    },
    inTransaction: () => flows.current() !== undefined,
    statements: () => ({ prepared: 0, executed, written, cached: 0 }),
    async ping() {
      await opened.pool.query('SELECT 1');
    },
    close: () => (closing ??= notifications.close().then(() => opened.close())),
  };
}
