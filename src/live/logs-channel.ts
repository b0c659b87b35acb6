/**
 * A push channel read as an async iterator, for streams fed by callbacks (a log response, an exec
 * WebSocket). Unlike an async generator, `return()` takes effect at once even while a `next()` is
 * pending: GraphQL servers call `return()` when a subscriber leaves, and the upstream stream must
 * close then, not when its next chunk happens to arrive.
 */
export interface Channel<T> extends AsyncIterableIterator<T> {
  /** Queues a value for the reader (ignored once closed). */
  push(value: T): void;
  /** Ends the stream after the queued values (or at once with an error). */
  end(error?: unknown): void;
  /** How many values wait to be read. */
  readonly queued: number;
  /** Calls `f` once after the reader takes a value, or at once when the channel is closed. */
  whenRead(f: () => void): void;
  /** True once the reader left or the stream ended. */
  readonly closed: boolean;
  /** Aborted when the stream is done for any reason: the reader left, the end was read, or an error. */
  readonly signal: AbortSignal;
}

export function createChannel<T>(onClose?: () => void): Channel<T> {
  const queue: T[] = [];
  const waiters: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  const abort = new AbortController();
  let ended = false;
  let failure: { error: unknown } | undefined;
  let readers: Array<() => void> = [];
  const wakeReaders = () => {
    const r = readers;
    readers = [];
    for (const f of r) f();
  };

  const finish = () => {
    if (abort.signal.aborted) return;
    abort.abort();
    wakeReaders();
    onClose?.();
  };
  const settleWaiters = () => {
    while (waiters.length > 0 && (queue.length > 0 || ended)) {
      const w = waiters.shift()!;
      if (queue.length > 0) w.resolve({ value: queue.shift()!, done: false });
      else if (failure) {
        const { error } = failure;
        failure = undefined;
        w.reject(error);
        finish();
      } else {
        w.resolve({ value: undefined, done: true });
        finish();
      }
    }
  };

  const channel: Channel<T> = {
    push(value) {
      if (ended) return;
      queue.push(value);
      settleWaiters();
    },
    end(error) {
      if (ended) return;
      ended = true;
      if (error !== undefined) failure = { error };
      settleWaiters();
    },
    get queued() {
      return queue.length;
    },
    whenRead(f) {
      if (abort.signal.aborted) f();
      else readers.push(f);
    },
    get closed() {
      return ended || abort.signal.aborted;
    },
    signal: abort.signal,
    next() {
      if (queue.length > 0) {
        const value = queue.shift()!;
        wakeReaders();
        return Promise.resolve({ value, done: false });
      }
      if (ended) {
        if (failure) {
          const { error } = failure;
          failure = undefined;
          finish();
          return Promise.reject(error);
        }
        finish();
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    return() {
      ended = true;
      queue.length = 0;
      failure = undefined;
      for (const w of waiters.splice(0)) w.resolve({ value: undefined, done: true });
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      void channel.return!();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return channel;
    },
  };
  return channel;
}
