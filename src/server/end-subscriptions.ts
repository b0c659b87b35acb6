import type { Plugin } from 'graphql-yoga';

/**
 * Completes every subscription when `signal` aborts (the server is shutting down): SSE streams end
 * with a `complete` event and graphql-ws subscriptions with a Complete message, so that clients see
 * a clean end rather than a broken connection, and in-flight SSE requests let the server drain.
 */
export function useEndSubscriptions(signal: AbortSignal): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endOnAbort(result, signal));
        },
      };
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Mirrors `source` until `signal` aborts, then ends (and lets go of `source`). */
export function endOnAbort<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let finished = false;
  let onAbort = () => {};
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    onAbort = () => resolve(done);
  });
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  const finish = () => {
    if (finished) return;
    finished = true;
    signal.removeEventListener('abort', onAbort);
    // Not awaited: an async generator's return() waits for its pending next().
    void Promise.resolve(iterator.return?.()).catch(() => {});
  };

  return {
    async next() {
      if (finished) return done;
      const result = await Promise.race([iterator.next(), aborted]);
      if (result.done) finish();
      return result;
    },
    async return() {
      finish();
      return done;
    },
    async throw(error: unknown) {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
