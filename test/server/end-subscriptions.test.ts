import { describe, expect, it } from 'vitest';
import { endOnAbort } from '../../src/server/end-subscriptions.js';

describe('endOnAbort', () => {
  it('passes values through, then ends a waiting next() when the signal aborts and lets go of the source', async () => {
    let released = false;
    let feed: (value: number) => void = () => {};
    const source = {
      [Symbol.asyncIterator]() {
        return {
          next: () => new Promise<IteratorResult<number>>((resolve) => (feed = (value) => resolve({ done: false, value }))),
          return: async () => {
            released = true;
            return { done: true as const, value: undefined };
          },
        };
      },
    };
    const abort = new AbortController();
    const iterator = endOnAbort(source, abort.signal);

    const first = iterator.next();
    feed(1);
    expect(await first).toEqual({ done: false, value: 1 });

    const waiting = iterator.next();
    abort.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(released).toBe(true);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('ends at once when the signal has already aborted', async () => {
    async function* never() {
      yield* [];
      await new Promise(() => {});
    }
    const iterator = endOnAbort(never(), AbortSignal.abort());
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });
});
