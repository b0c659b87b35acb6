import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';

/**
 * Async transactions on ONE SQLite connection, for when the repositories become async (the same
 * repositories then serve PostgreSQL). Not used yet: the repositories are synchronous today.
 *
 * Why it is needed: better-sqlite3 has one connection, and BEGIN holds for the whole connection. A
 * transaction that awaits (anything: an async repository call is enough) lets the event loop run
 * another flow, whose write would then land INSIDE the open transaction — committed or rolled back
 * with it — and whose read would see its uncommitted rows. better-sqlite3's own `transaction()`
 * refuses async functions for this reason ("Transaction function cannot return a promise").
 *
 * So every transaction takes this FIFO lock first: one flow between BEGIN and COMMIT at a time, the
 * others wait their turn (bounded by `waitTimeoutMs`). There is no separate call for a plain write: a
 * write outside a transaction goes through `transaction()` too (a one-statement transaction), or it
 * could land inside another flow's open one. A transaction started from inside another (same async
 * flow, before its COMMIT) would wait for itself: it fails at once instead. Work the transaction
 * scheduled (a timer) that runs after its COMMIT is outside it and may start its own. Reads outside a
 * transaction should use a second, read-only connection (WAL lets it read the last commit while a
 * write is open), so that readers never wait and never see uncommitted rows.
 */
export interface SerialTransactions {
  /** Runs `fn` between BEGIN IMMEDIATE and COMMIT (ROLLBACK when it throws), alone on the connection. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether the calling async flow is inside a transaction of this connection. */
  inTransaction(): boolean;
}

/** Waiting for the connection took longer than allowed (another flow's transaction is slow or stuck). */
export class TransactionWaitTimeoutError extends Error {
  override name = 'TransactionWaitTimeoutError';
  readonly code = 'DATABASE_BUSY';
}

/** A transaction was started inside another on the same connection (it would wait for itself forever). */
export class NestedTransactionError extends Error {
  override name = 'NestedTransactionError';
  readonly code = 'NESTED_TRANSACTION';
}

export function serialTransactions(sqlite: Database.Database, { waitTimeoutMs = 5_000 }: { waitTimeoutMs?: number } = {}): SerialTransactions {
  // Mutable, not `true`: callbacks scheduled inside `fn` (a timer, setImmediate) inherit the store and may run
  // after COMMIT; `open` turns false then, so they are outside the transaction and may start their own.
  const flow = new AsyncLocalStorage<{ open: boolean }>();
  let tail: Promise<void> = Promise.resolve();

  /** Resolves with the release function once every earlier holder is done; the queue stays in order even when a waiter gives up. */
  async function acquire(): Promise<() => void> {
    const before = tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    tail = before.then(() => mine);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitTimeoutMs)));
    const turn = await Promise.race([before.then(() => 'turn' as const), late]);
    clearTimeout(timer);
    if (turn === 'late') {
      void before.then(release); // pass the turn on when it comes
      throw new TransactionWaitTimeoutError(`the database was busy for ${waitTimeoutMs} ms (another transaction held it)`);
    }
    return release;
  }

  return {
    inTransaction: () => flow.getStore()?.open === true,
    async transaction<T>(fn: () => Promise<T>): Promise<T> {
      if (flow.getStore()?.open) throw new NestedTransactionError('a transaction was started inside another one on the same SQLite connection: pass the open one down instead');
      const release = await acquire();
      try {
        sqlite.exec('BEGIN IMMEDIATE');
        const store = { open: true };
        try {
          const result = await flow.run(store, fn);
          sqlite.exec('COMMIT');
          return result;
        } catch (error) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
          throw error;
        } finally {
          store.open = false;
        }
      } finally {
        release();
      }
    },
  };
}
