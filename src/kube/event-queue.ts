/**
 * An async iterator fed by pushes: what a subscriber reads. `return()` (the subscriber went) ends it at
 * once, even while a `next()` is waiting, and calls `onClose` exactly once.
 */
export interface EventQueue<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
}

export function createEventQueue<T>(onClose: () => void): EventQueue<T> {
  const buffered: T[] = [];
  const waiting: Array<(result: IteratorResult<T>) => void> = [];
  let closed = false;

  const close = (): IteratorResult<T> => {
    if (!closed) {
      closed = true;
      buffered.length = 0;
      for (const resolve of waiting.splice(0)) resolve({ done: true, value: undefined });
      onClose();
    }
    return { done: true, value: undefined };
  };

  return {
    push(value) {
      if (closed) return;
      const resolve = waiting.shift();
      if (resolve) resolve({ done: false, value });
      else buffered.push(value);
    },
    next() {
      if (buffered.length > 0) return Promise.resolve({ done: false, value: buffered.shift() as T });
      if (closed) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return() {
      return Promise.resolve(close());
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
