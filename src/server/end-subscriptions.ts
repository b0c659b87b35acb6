import type { Plugin } from 'graphql-yoga';
import { memberEndOf } from '../live/fanout/member-end.js';

/**
 * Completes every subscription when `signal` aborts (the server is shutting down): SSE streams end
 * with a `complete` event and graphql-ws subscriptions with a Complete message, so that clients see
 * a clean end rather than a broken connection, and in-flight SSE requests let the server drain.
 * A grouped member (src/live/fanout/member-end.ts) is ended by the signal itself, without a wrapper:
 * one listener for all of them.
 */
export function useEndSubscriptions(signal: AbortSignal): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          const member = memberEndOf(result);
          if (member) member.endWhen(signal);
          else if (isAsyncIterable(result)) setResult(endOnAbort(result, signal));
        },
      };
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Mirrors `source` until `signal` aborts, then ends (and lets go of `source`). A read waiting when the
 * signal aborts ends at once. (No Promise.race against one long-lived promise: each race would leave
 * a reaction on it for the subscription's whole life — memory that grows with every event.)
 */
export function endOnAbort<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let finished = false;
  let waiting: ((r: IteratorResult<T>) => void) | null = null;

  const finish = () => {
    if (finished) return;
    finished = true;
    signal.removeEventListener('abort', onAbort);
    // Not awaited: an async generator's return() waits for its pending next().
    void Promise.resolve(iterator.return?.()).catch(() => {});
  };
  const onAbort = () => {
    const w = waiting;
    waiting = null;
    finish();
    w?.(done);
  };
  if (signal.aborted) finish();
  else signal.addEventListener('abort', onAbort, { once: true });

  return {
    next() {
      if (finished) return Promise.resolve(done);
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = resolve;
        iterator.next().then(
          (result) => {
            if (waiting === resolve) waiting = null;
            if (result.done) finish();
            resolve(finished && !result.done ? done : result);
          },
          (error: unknown) => {
            if (waiting === resolve) waiting = null;
            reject(error);
          },
        );
      });
    },
    async return() {
      onAbort();
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
