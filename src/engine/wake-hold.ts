/**
 * Foreground first: the engine's passes wait while the API has requests waiting to run.
 *
 * A pass costs the same thread as a request (cairn serves and reconciles on one event loop). When 300
 * release scripts submit at once, each order's first pass started inside its submission's turn and
 * pods of the first orders were already reporting (informer events, more passes) while the last
 * scripts still waited for an answer: the last answer came 1.1–2.4 s after it was sent. Held until the
 * line of waiting requests is empty, every answer came within 0.7–0.9 s and the passes, run back to
 * back afterwards, were fewer (coalesced: several wakes of one order, one pass), so the first batches
 * also started sooner (bench/concurrent-releases.ts). A wake is held `maxHoldMs` at most, counted from
 * the first wake held: a steady stream of requests never starves the engine.
 */
import { AsyncResource } from 'node:async_hooks';

export interface Foreground {
  /** Whether requests are waiting to run. */
  busy(): boolean;
  /** Called each time the last waiting request leaves the line (just before it runs). */
  onIdle(listener: () => void): void;
}

export interface WakeHold {
  /** Holds the wake while the foreground is busy (true: held, released later through `release`). */
  hold(orderId: number, read: boolean): boolean;
  /** Whether wakes are held, or released but not yet handed to `release`. */
  pending(): boolean;
  /** Resolves once the wakes held now have been handed to `release` (at once when none is pending). */
  released(): Promise<void>;
  /** Drops the held wakes (the engine stops: its next start reconciles every active order). */
  clear(): void;
}

export interface WakeHoldOptions {
  foreground: Foreground;
  maxHoldMs: number;
  /** Wakes the order for real; `read` as asked by the wakes held (true if any of them asked for a read). */
  release(orderId: number, read: boolean): void;
}

export function createWakeHold(options: WakeHoldOptions): WakeHold {
  const { foreground } = options;
  /** Order id → whether one of its held wakes asked for a read of the order. */
  const held = new Map<number, boolean>();
  let timer: NodeJS.Timeout | null = null;
  let waiters: (() => void)[] = [];
  let releasing = false;
  /** Released wakes whose slot has not run yet (cleared ones included: their slot does nothing). */
  let inSlots = 0;
  let generation = 0;
  /**
   * The async context the hold was made in (the engine's, no request's): a released pass runs in it, not in the context
   * of whichever request's wake started the timer or emptied the line (traces would tie one order's passes to another's request).
   */
  const neutral = new AsyncResource('cairn.wake-hold');

  const settleWaiters = () => {
    if (held.size || inSlots) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const releaseAll = () => {
    releasing = false;
    if (timer) clearTimeout(timer);
    timer = null;
    const wakes = [...held];
    held.clear();
    const at = generation;
    // Each in a slot of its own (setImmediate: its synchronous part and its microtasks end before the next starts): on
    // SQLite each pass then reaches its first real I/O (its first request to the cluster) before the next pass starts;
    // run together, their awaits interleave and the first request leaves only once every pass has done its reads.
    inSlots += wakes.length;
    for (const [orderId, read] of wakes)
      setImmediate(() => {
        inSlots--;
        if (at === generation) neutral.runInAsyncScope(() => options.release(orderId, read));
        settleWaiters();
      });
    settleWaiters();
  };

  foreground.onIdle(() => {
    // In a turn of its own: the request that emptied the line runs first (its own wake is not held).
    if (held.size && !releasing) {
      releasing = true;
      setImmediate(() => neutral.runInAsyncScope(releaseAll));
    }
  });

  return {
    hold(orderId, read) {
      if (!foreground.busy() && !held.has(orderId)) return false;
      held.set(orderId, (held.get(orderId) ?? false) || read);
      if (!timer) {
        timer = setTimeout(() => neutral.runInAsyncScope(releaseAll), options.maxHoldMs);
        timer.unref();
      }
      return true;
    },
    pending: () => held.size > 0 || inSlots > 0,
    released: () => (held.size || inSlots ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve()),
    clear() {
      if (timer) clearTimeout(timer);
      timer = null;
      held.clear();
      generation++; // the slots already queued do nothing
      settleWaiters();
    },
  };
}
