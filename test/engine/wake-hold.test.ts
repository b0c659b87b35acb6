/** Foreground first (src/engine/wake-hold.ts): wakes wait while requests wait, are released one slot each once none does. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { createWakeHold, type Foreground } from '../../src/engine/wake-hold.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function foreground() {
  let busy = false;
  const listeners: (() => void)[] = [];
  const fg: Foreground = { busy: () => busy, onIdle: (listener) => void listeners.push(listener) };
  return {
    fg,
    busy() {
      busy = true;
    },
    idle() {
      busy = false;
      for (const listener of listeners) listener();
    },
  };
}

function harness(maxHoldMs = 60_000) {
  const f = foreground();
  const released: [number, boolean][] = [];
  const hold = createWakeHold({ foreground: f.fg, maxHoldMs, release: (orderId, read) => released.push([orderId, read]) });
  return { f, hold, released };
}

describe('wake hold', () => {
  it('holds nothing while no request waits', () => {
    const h = harness();
    expect(h.hold.hold(1, true)).toBe(false);
    expect(h.hold.pending()).toBe(false);
  });

  it('holds wakes while requests wait and releases each order once, in order, after the line empties', async () => {
    const h = harness();
    h.f.busy();
    expect(h.hold.hold(1, false)).toBe(true);
    expect(h.hold.hold(2, false)).toBe(true);
    expect(h.hold.hold(1, true)).toBe(true); // the same order again: one release, asking for a read
    expect(h.hold.pending()).toBe(true);
    await turn();
    expect(h.released).toEqual([]);
    const released = h.hold.released();
    h.f.idle();
    // Not in the turn that emptied the line: the request that emptied it runs first.
    expect(h.released).toEqual([]);
    await released;
    expect(h.released).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(h.hold.pending()).toBe(false);
  });

  it('keeps holding an order already held even once the line is empty (one release for both)', async () => {
    const h = harness();
    h.f.busy();
    h.hold.hold(7, false);
    h.f.idle();
    expect(h.hold.hold(7, true)).toBe(true);
    expect(h.hold.hold(8, true)).toBe(false); // not held before and nothing waits: runs at once
    await h.hold.released();
    expect(h.released).toEqual([[7, true]]);
  });

  it('releases each order in a slot of its own: its microtasks end before the next is released', async () => {
    const f = foreground();
    const log: string[] = [];
    const hold = createWakeHold({
      foreground: f.fg,
      maxHoldMs: 60_000,
      release: (orderId) => {
        log.push(`start ${orderId}`);
        void Promise.resolve()
          .then(() => undefined)
          .then(() => log.push(`after awaits ${orderId}`));
      },
    });
    f.busy();
    hold.hold(1, true);
    hold.hold(2, true);
    f.idle();
    await hold.released();
    await turn(); // the last one's microtasks
    expect(log).toEqual(['start 1', 'after awaits 1', 'start 2', 'after awaits 2']);
  });

  it('never holds longer than maxHoldMs while requests keep waiting', async () => {
    const h = harness(20);
    h.f.busy();
    const at = performance.now();
    h.hold.hold(3, true);
    await h.hold.released();
    expect(h.released).toEqual([[3, true]]);
    expect(performance.now() - at).toBeGreaterThanOrEqual(19);
    expect(h.f.fg.busy()).toBe(true); // released by its bound, not by the line
  });

  it('counts released wakes as pending until each one\'s slot has run', async () => {
    const h = harness();
    h.f.busy();
    h.hold.hold(1, true);
    h.hold.hold(2, true);
    h.f.idle();
    await turn(); // releaseAll ran: nothing held, two slots queued
    expect(h.released.length).toBeLessThan(2);
    expect(h.hold.pending()).toBe(true);
    await h.hold.released();
    expect(h.hold.pending()).toBe(false);
    expect(h.released).toHaveLength(2);
  });

  it('runs a released wake in the context the hold was made in, not in the context of a request that was waiting', async () => {
    const store = new AsyncLocalStorage<string>();
    const f = foreground();
    const seen: (string | undefined)[] = [];
    const hold = store.run('engine', () => createWakeHold({ foreground: f.fg, maxHoldMs: 20, release: () => seen.push(store.getStore()) }));
    f.busy();
    store.run('request A', () => hold.hold(1, true)); // starts the timer
    store.run('request B', () => hold.hold(2, true));
    await hold.released(); // by the timer
    store.run('request C', () => hold.hold(3, true));
    store.run('request D', () => f.idle()); // the last request leaves the line
    await hold.released();
    expect(seen).toEqual(['engine', 'engine', 'engine']);
  });

  it('clear drops the held wakes (the engine stopped) and settles whoever waited for them', async () => {
    const h = harness();
    h.f.busy();
    h.hold.hold(4, true);
    const released = h.hold.released();
    h.hold.clear();
    await released;
    h.f.idle();
    await turn();
    await turn();
    expect(h.released).toEqual([]);
    expect(h.hold.pending()).toBe(false);
  });

  it('clear also drops wakes released but not yet run', async () => {
    const h = harness();
    h.f.busy();
    h.hold.hold(5, true);
    h.hold.hold(6, true);
    h.f.idle();
    await turn(); // released, their slots queued
    expect(h.released.length).toBeLessThan(2);
    const before = h.released.length;
    h.hold.clear();
    await h.hold.released();
    await turn();
    expect(h.released).toHaveLength(before);
    expect(h.hold.pending()).toBe(false);
  });
});
