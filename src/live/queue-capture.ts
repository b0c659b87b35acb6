/**
 * Which hub queues an async flow created: the fan-out subscribes a member inside `capturingQueues` and so learns
 * the queue its source reads (the hub notes each queue it creates with `noteQueue`), to take over its reads
 * once the member is caught up (src/live/fanout/group-live.ts). Outside a capture, noting costs one lookup.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { HoldableQueue } from './queue.js';

interface Capture {
  queues: Array<HoldableQueue<unknown>>;
  /** Closed once the capture's flow has returned: what it started and goes on later (a stream's source) notes nothing. */
  open: boolean;
}

const captures = new AsyncLocalStorage<Capture>();

/** Runs `fn`, and gives what it resolves to with the queues created meanwhile in its flow. */
export async function capturingQueues<T>(fn: () => Promise<T> | T): Promise<{ value: T; queues: Array<HoldableQueue<unknown>> }> {
  const capture: Capture = { queues: [], open: true };
  try {
    const value = await captures.run(capture, fn);
    return { value, queues: capture.queues };
  } finally {
    // What the flow started and goes on (a stream's source, its timers) keeps the capture: let it hold no queue.
    capture.open = false;
    capture.queues = [];
  }
}

/** Tells the capture around the current flow, if any, of a queue just created. */
export function noteQueue(queue: HoldableQueue<unknown>): void {
  const capture = captures.getStore();
  if (capture?.open) capture.queues.push(queue);
}
