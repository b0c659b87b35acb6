/** The event hub on its own: one source per stream, cursors, bounded replay, slow subscribers, lingering. */
import { describe, expect, it } from 'vitest';
import { createHub, type Delivery, type StreamSource } from '../../src/live/hub.js';

/** A source whose state is a list of numbers; `push` publishes one. */
function numbers() {
  const state: number[] = [];
  let publish: ((n: number) => void) | null = null;
  let starts = 0;
  let stops = 0;
  const source = (): StreamSource<number, number[]> => ({
    start(p) {
      starts += 1;
      publish = p;
      return { ready: Promise.resolve(), stop: () => void (stops += 1) };
    },
    snapshot: () => [...state],
  });
  return {
    source,
    push(n: number) {
      state.push(n);
      publish?.(n);
    },
    counts: () => ({ starts, stops }),
  };
}

const take = async <E, S>(it: AsyncIterator<Delivery<E, S>>, n: number) => {
  const out: Delivery<E, S>[] = [];
  for (let i = 0; i < n; i++) out.push((await it.next()).value as Delivery<E, S>);
  return out;
};

describe('hub', () => {
  it('starts one source for many subscribers and gives each the snapshot then every event in order', async () => {
    const hub = createHub({ lingerMs: 0 });
    const src = numbers();
    src.push(1);
    const subs = Array.from({ length: 50 }, () => hub.subscribe('k', src.source));
    const firsts = await Promise.all(subs.map((s) => s.next()));
    expect(firsts.every((r) => r.value?.type === 'snapshot' && (r.value as { snapshot: number[] }).snapshot.join() === '1')).toBe(true);
    for (let n = 2; n <= 20; n++) src.push(n);
    for (const s of subs) expect((await take(s, 19)).map((d) => (d as { event: number }).event)).toEqual(Array.from({ length: 19 }, (_, i) => i + 2));
    expect(src.counts().starts).toBe(1);
    await Promise.all(subs.map(async (s) => s.return?.()));
    expect(hub.stats().subscribers).toBe(0);
    hub.stop();
  });

  it('replays from a cursor within the buffer; beyond it, BUFFER_EXCEEDED then a snapshot', async () => {
    const hub = createHub({ bufferSize: 5, lingerMs: 60_000 });
    const src = numbers();
    const a = hub.subscribe('k', src.source);
    const [snap] = await take(a, 1);
    src.push(1);
    const [one] = await take(a, 1);
    await a.return?.();
    src.push(2);
    src.push(3);
    const b = hub.subscribe('k', src.source, { after: one!.cursor });
    expect((await take(b, 2)).map((d) => [d.type, (d as { event: number }).event])).toEqual([['event', 2], ['event', 3]]);
    await b.return?.();
    for (let n = 4; n <= 10; n++) src.push(n);
    const c = hub.subscribe('k', src.source, { after: one!.cursor });
    const [marker, fresh] = await take(c, 2);
    expect(marker).toMatchObject({ type: 'bufferExceeded', missedFrom: one!.cursor });
    expect(fresh).toMatchObject({ type: 'snapshot', snapshot: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    expect(fresh!.cursor).toBe(marker!.cursor);
    // A cursor at the very end of the buffer is fine: nothing missed.
    const d = hub.subscribe('k', src.source, { after: fresh!.cursor });
    src.push(11);
    expect(await take(d, 1)).toMatchObject([{ type: 'event', event: 11 }]);
    expect(snap!.type).toBe('snapshot');
    hub.stop();
  });

  it('cuts a subscriber that falls behind to a marker and a snapshot, and keeps memory bounded', async () => {
    const hub = createHub({ maxQueued: 10, bufferSize: 10, lingerMs: 0 });
    const src = numbers();
    const slow = hub.subscribe('k', src.source);
    await take(slow, 1);
    for (let n = 1; n <= 25; n++) src.push(n);
    expect(hub.stats().queued).toBeLessThanOrEqual(10);
    expect(hub.stats().buffered).toBe(10);
    const first = await take(slow, 2);
    expect(first.map((d) => d.type)).toEqual(['bufferExceeded', 'snapshot']);
    await slow.return?.();
    hub.stop();
  });

  it('stops the source once the last subscriber has been gone for lingerMs', async () => {
    const hub = createHub({ lingerMs: 20 });
    const src = numbers();
    const a = hub.subscribe('k', src.source);
    await take(a, 1);
    await a.return?.();
    const again = hub.subscribe('k', src.source); // back within the linger: the same run of the stream
    await take(again, 1);
    expect(src.counts()).toEqual({ starts: 1, stops: 0 });
    await again.return?.();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (hub.stats().streams === 0) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    expect(src.counts()).toEqual({ starts: 1, stops: 1 });
    expect(hub.stats()).toMatchObject({ streams: 0, subscribers: 0, buffered: 0, queued: 0 });
  });
});
