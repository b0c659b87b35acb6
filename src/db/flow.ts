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
          const running = op();
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
  let tail: Promise<void> = Promise.resolve();
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
      throw new DatabaseBusyError(`the database was busy for ${waitTimeoutMs} ms (another transaction held it)`);
    }
    return release;
  }
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      const release = await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
