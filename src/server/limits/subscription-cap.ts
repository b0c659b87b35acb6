/** Counts the open subscriptions of each API token, and refuses one over `max`. */
export interface SubscriptionCap {
  /** Opens a slot for `key`: returns its release (idempotent), or null when `key` already has `max` open. */
  acquire(key: number): (() => void) | null;
  /** How many subscriptions `key` has open. */
  open(key: number): number;
}

export function createSubscriptionCap(max: number): SubscriptionCap {
  const counts = new Map<number, number>();
  const open = (key: number) => counts.get(key) ?? 0;
  return {
    open,
    acquire(key) {
      if (open(key) >= max) return null;
      counts.set(key, open(key) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = open(key) - 1;
        if (left > 0) counts.set(key, left);
        else counts.delete(key);
      };
    },
  };
}

/**
 * Mirrors `source` and calls `onEnd` once when it ends: it finishes, fails, or its consumer returns
 * (a graphql-ws `complete`, a closed SSE stream, the server's shutdown).
 */
export function releaseOnEnd<T>(source: AsyncIterable<T>, onEnd: () => void): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const release = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  return {
    async next() {
      try {
        const result = await iterator.next();
        if (result.done) release();
        return result;
      } catch (error) {
        release();
        throw error;
      }
    },
    async return() {
      release();
      // Not awaited: an async generator's return() waits for its pending next().
      void Promise.resolve(iterator.return?.()).catch(() => {});
      return done;
    },
    throw(error: unknown) {
      release();
      return iterator.throw ? (iterator.throw(error) as Promise<IteratorResult<T>>) : Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncGenerator<T>;
}
