/**
 * A work queue like client-go's: keys are deduplicated, processed one at a time outside the store's
 * synchronous event delivery, retried with back-off on error, re-examined after a requested delay
 * and all re-listed on a periodic resync (level-triggered: a sync always looks at the whole state).
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import { StoreError } from '../store/types.js';

export interface Reconciler {
  readonly name: string;
  /** Every key this controller is responsible for (resync). */
  allKeys(): string[];
  /** Reconciles one key; returns a simulated delay (ms) after which to look again, if any. */
  sync(key: string): number | undefined | void;
}

export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, simMs: number): void;
  resync(): void;
  stop(): void;
}

/**
 * Milliseconds of syncs, all queues together, in one turn of the event loop before it serves I/O
 * again: the API server's requests and watches (in this process too) are not held up behind a
 * burst of syncs, as they are not when the controller manager is a process of its own.
 */
const SLICE_MS = Number(process.env.SLICE_MS ?? 5);

/** A queue with keys pending: `step()` syncs one and says whether more are pending. */
interface Runnable {
  step(): boolean;
}
/** Every queue of every cluster in this process takes its turn, one key at a time, within one slice. */
const runnable = new Set<Runnable>();
let turnScheduled = false;

function scheduleTurn() {
  if (turnScheduled) return;
  turnScheduled = true;
  setImmediate(turn);
}

function turn() {
  turnScheduled = false;
  const until = performance.now() + SLICE_MS;
  while (runnable.size > 0 && performance.now() < until) {
    for (const queue of runnable) {
      if (!queue.step()) runnable.delete(queue);
      if (performance.now() >= until) break;
    }
  }
  if (runnable.size > 0) scheduleTurn();
}

// Races with other writers, and namespaces being deleted (Forbidden): retried quietly.
const EXPECTED = new Set(['NotFound', 'Conflict', 'AlreadyExists', 'Forbidden']);

export function createWorkQueue(
  reconciler: Reconciler,
  clock: Clock,
  options: { resyncMs: number; onError?: (controller: string, key: string, err: unknown) => void },
): WorkQueue {
  const pending = new Set<string>();
  const delayed = new Map<string, { at: number; cancel: () => void }>();
  const failures = new Map<string, number>();
  let stopped = false;
  const onError =
    options.onError ??
    ((controller: string, key: string, err: unknown) => {
      if (err instanceof StoreError && EXPECTED.has(err.reason)) return;
      console.error(`[sandbox ${controller}] sync ${key} failed:`, err);
    });

  const runner: Runnable = {
    step() {
      if (stopped || pending.size === 0) return false;
      const key = pending.values().next().value as string;
      pending.delete(key);
      try {
        const after = reconciler.sync(key);
        failures.delete(key);
        if (typeof after === 'number' && after >= 0) addAfter(key, after);
      } catch (err) {
        onError(reconciler.name, key, err);
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        addAfter(key, Math.min(5 * 2 ** n, 10_000));
      }
      return !stopped && pending.size > 0;
    },
  };

  function schedule() {
    if (stopped) return;
    runnable.add(runner);
    scheduleTurn();
  }

  function add(key: string) {
    if (stopped) return;
    pending.add(key);
    schedule();
  }

  function addAfter(key: string, simMs: number) {
    if (stopped) return;
    if (simMs <= 0) return add(key);
    const at = Date.now() + clock.real(simMs);
    const existing = delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    const cancel = clock.after(simMs, () => {
      delayed.delete(key);
      add(key);
    });
    delayed.set(key, { at, cancel });
  }

  return {
    add,
    addAfter,
    resync() {
      for (const key of reconciler.allKeys()) add(key);
    },
    stop() {
      stopped = true;
      runnable.delete(runner);
      pending.clear();
      for (const d of delayed.values()) d.cancel();
      delayed.clear();
    },
  };
}

/** `namespace/name` (or `name` for cluster-scoped objects) ↔ parts. */
export function objectKey(namespace: string | undefined, name: string | undefined): string {
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
