/**
 * What one subscriber reads: an async iterator fed by pushes, whose length the hub can see (to cut off a
 * subscriber that does not keep up). `return()` ends it at once, even while a `next()` waits, and calls
 * `onClose` exactly once; `fail(error)` makes the next read throw.
 */
export interface Queue<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  /** Drops what is waiting to be read. */
  clear(): void;
  readonly size: number;
  fail(error: unknown): void;
}

export function createQueue<T>(onClose: () => void): Queue<T> {
  const buffered: T[] = [];
  const waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  let closed = false;
  let failure: { error: unknown } | null = null;

  const close = (): IteratorResult<T> => {
    if (!closed) {
      closed = true;
      buffered.length = 0;
      for (const w of waiting.splice(0)) w.resolve({ done: true, value: undefined });
      onClose();
    }
    return { done: true, value: undefined };
  };

  return {
    push(value) {
      if (closed) return;
      const w = waiting.shift();
      if (w) w.resolve({ done: false, value });
      else buffered.push(value);
    },
    clear() {
      buffered.length = 0;
    },
    get size() {
      return buffered.length;
    },
    fail(error) {
      if (closed) return;
      failure = { error };
      for (const w of waiting.splice(0)) w.reject(error);
      close();
    },
    next() {
      if (buffered.length > 0) return Promise.resolve({ done: false, value: buffered.shift() as T });
      if (failure) {
        const { error } = failure;
        failure = null;
        return Promise.reject(error);
      }
      if (closed) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      return Promise.resolve(close());
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
