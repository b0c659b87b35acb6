import { describe, expect, it } from 'vitest';
import { createSubscriptionCap, releaseOnEnd } from '../../../src/server/limits/subscription-cap.js';

describe('createSubscriptionCap', () => {
  it('refuses the slot over the cap, per key; a release (once, however often called) frees one', () => {
    const cap = createSubscriptionCap(2);
    const a1 = cap.acquire(1);
    const a2 = cap.acquire(1);
    expect(a1).toBeTypeOf('function');
    expect(a2).toBeTypeOf('function');
    expect(cap.acquire(1)).toBeNull();
    expect(cap.acquire(2)).toBeTypeOf('function');
    expect(cap.open(1)).toBe(2);
    a1!();
    a1!();
    expect(cap.open(1)).toBe(1);
    expect(cap.acquire(1)).toBeTypeOf('function');
    expect(cap.acquire(1)).toBeNull();
  });
});

describe('releaseOnEnd', () => {
  const counting = () => {
    let released = 0;
    return { release: () => released++, released: () => released };
  };

  it('mirrors the source and releases once when it finishes', async () => {
    const r = counting();
    const out = releaseOnEnd((async function* () { yield 1; yield 2; })(), r.release);
    const seen: number[] = [];
    for await (const v of out) seen.push(v);
    expect(seen).toEqual([1, 2]);
    expect(r.released()).toBe(1);
  });

  it('releases once when the consumer returns, without waiting for a value the source has not produced', async () => {
    const r = counting();
    let finalized = false;
    const source = (async function* () {
      try {
        yield 1;
        await new Promise(() => {}); // never produces a second value
      } finally {
        finalized = true;
      }
    })();
    const out = releaseOnEnd(source, r.release);
    expect(await out.next()).toEqual({ value: 1, done: false });
    void out.next(); // waits forever
    expect(await out.return(undefined)).toEqual({ value: undefined, done: true });
    expect(r.released()).toBe(1);
    await out.return(undefined);
    expect(r.released()).toBe(1);
    // The source is still stuck in its await (its own return() waits for that): the slot did not wait for it.
    expect(finalized).toBe(false);
  });

  it('releases when the source fails', async () => {
    const r = counting();
    const out = releaseOnEnd((async function* () { throw new Error('boom'); })(), r.release);
    await expect(out.next()).rejects.toThrow('boom');
    expect(r.released()).toBe(1);
  });

  it('releases when the consumer returns before asking for anything', async () => {
    const r = counting();
    const out = releaseOnEnd((async function* () { yield 1; })(), r.release);
    await out.return(undefined);
    expect(r.released()).toBe(1);
  });
});
