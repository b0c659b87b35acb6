import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseBusyError } from './database.js';

/**
 * The transaction an async flow is in, if any. `open` turns false when the transaction ends, so work it
 * scheduled that runs later (a timer, setImmediate — they inherit the store) is outside it.
 */
export interface FlowTransaction<Db> {
  open: boolean;
  db: Db;
  /** How deep savepoints are nested inside it (names them). */
  depth: number;
  /**
   * The savepoints opened directly in this transaction (a nested transaction, a write) take turns: two savepoints
   * of one connection cannot interleave (releasing or rolling back to the first would end the second too), and a
   * flow may start several at once (`Promise.all` of writes inside a transaction). A savepoint's own savepoints
   * take the turns of its level, so nesting never waits on itself.
   */
  savepoints: Turns;
  /**
   * Runs `op` (a statement, a savepoint) as part of this transaction, which does not end before `op` settled: a body
   * that settles early (a `Promise.all` that rejected at its first failure while other writes were still on their
   * way) would otherwise commit or roll back under them, and their later statements would run on a connection no
   * longer in the transaction — SQLite's autocommit, or a pooled PostgreSQL connection another flow took.
   */
  join<T>(op: () => Promise<T>): Promise<T>;
}

/** `waitTimeoutMs`: how long a savepoint may wait for its turn behind its siblings (DatabaseBusyError after). */
export function flowTransactions<Db>(waitTimeoutMs: number) {
  const flow = new AsyncLocalStorage<FlowTransaction<Db>>();
  return {
    /** The open transaction of the calling flow, if any. */
    current(): FlowTransaction<Db> | undefined {
      const store = flow.getStore();
      return store?.open ? store : undefined;
    },
    /** Runs `fn` with `tx` as the flow's transaction; it is closed when `fn` settles. */
    async within<T>(tx: Pick<FlowTransaction<Db>, 'db' | 'depth'>, fn: () => Promise<T>): Promise<T> {
      const pending = new Set<Promise<unknown>>();
      const store: FlowTransaction<Db> = {
        ...tx,
        open: true,
        savepoints: turns(waitTimeoutMs),
        join(op) {
          // Promise.resolve adopts what `op` answers by calling its `then` ONCE: a drizzle query is a lazy thenable that
          // runs its statement on every `then`, so watching it with `then` here and handing it back to be awaited
          // would run it twice (an INSERT twice, the second refused by its unique index and answering no row).
          let running: Promise<Awaited<ReturnType<typeof op>>>;
          try {
            running = Promise.resolve(op());
          } catch (error) {
            running = Promise.reject(error);
          }
          pending.add(running);
          const done = () => pending.delete(running);
          running.then(done, done);
          return running;
        },
      };
      try {
        return await flow.run(store, fn);
      } finally {
        // What the body started and did not wait for ends inside the transaction (and may start more: wait again).
        while (pending.size > 0) await Promise.allSettled([...pending]);
        store.open = false;
      }
    },
  };
}

/**
 * A FIFO lock with a bounded wait: one holder at a time, the others wait their turn in order, and a waiter
 * that waited `waitTimeoutMs` gives up with DatabaseBusyError (the queue stays in order).
 */
export interface Turns {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function turns(waitTimeoutMs: number): Turns {
  /** Whether a holder runs now; those waiting behind it, first in line first. */
  let held = false;
  const waiting: { take: () => void; timer: NodeJS.Timeout }[] = [];
  const release = () => {
    const next = waiting.shift();
    if (!next) {
      held = false;
      return;
    }
    clearTimeout(next.timer);
    next.take(); // the turn passes straight on: `held` stays true
  };
  /** Resolves when the turn is the caller's: at once when it is free (no timer then), else in order, or DatabaseBusyError after the bound. */
  function acquire(): Promise<void> | null {
    if (!held) {
      held = true;
      return null;
    }
    return new Promise<void>((take, fail) => {
      const waiter = {
        take,
        timer: setTimeout(() => {
          const at = waiting.indexOf(waiter);
          if (at >= 0) waiting.splice(at, 1);
          fail(new DatabaseBusyError(`the database was busy for ${waitTimeoutMs} ms (another transaction held it)`));
        }, waitTimeoutMs),
      };
      waiting.push(waiter);
    });
  }
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      const wait = acquire();
      if (wait) await wait;
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
