import { EventEmitter } from 'node:events';

/**
 * An in-process hub of "this order may have changed" signals: the reconciler publishes after each
 * pass over an order (passes run on watch events, mutations and the resync timer); subscribers
 * re-read. Each order has a sequence number that grows with every signal (per process). With several replicas on
 * PostgreSQL, src/engine/replicated-order-events.ts is the same interface across the replicas (the publisher's
 * numbers, carried by NOTIFY).
 */
export interface OrderEvents {
  publish(orderId: number): void;
  /** Calls `listener` with the order's new sequence number on each signal; returns the unsubscribe function. */
  listen(orderId: number, listener: (sequence: number) => void): () => void;
  /** The order's current sequence number (0 before any signal). */
  sequence(orderId: number): number;
}

/** Orders whose numbers are kept while nobody listens to them, at most (past it, the oldest of those are forgotten). */
export const MAX_UNHEARD_ORDERS = 10_000;

/**
 * Forgets the numbers (`sequences`, and the same orders' entries in `others`) of orders nobody listens to, oldest first,
 * once there are more than `max`, down to half of it: a long-running cairn does not keep a number for every order it ever
 * published. Returns the highest number forgotten (0 when none): a forgotten order numbers on from above it, never from
 * 0 again — another replica that still follows the order skips numbers it has already heard from this one. Amortized O(1)
 * per call.
 */
export function forgetUnheard(
  sequences: Map<number, number>,
  others: ReadonlyArray<Map<number, unknown>>,
  listened: (orderId: number) => boolean,
  max = MAX_UNHEARD_ORDERS,
): number {
  let highest = 0;
  if (sequences.size <= max) return highest;
  for (const [orderId, sequence] of sequences) {
    if (sequences.size <= max / 2) break;
    if (listened(orderId)) continue;
    highest = Math.max(highest, sequence);
    sequences.delete(orderId);
    for (const map of others) map.delete(orderId);
  }
  return highest;
}

export function createOrderEvents(options: { maxUnheard?: number } = {}): OrderEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const sequences = new Map<number, number>();
  const listened = (orderId: number) => emitter.listenerCount(String(orderId)) > 0;
  /** Above every number forgotten: where a forgotten order numbers on from. */
  let floor = 0;
  return {
    publish(orderId) {
      const next = (sequences.get(orderId) ?? floor) + 1;
      sequences.delete(orderId); // to the end: the most recently published
      sequences.set(orderId, next);
      emitter.emit(String(orderId), next);
      floor = Math.max(floor, forgetUnheard(sequences, [], listened, options.maxUnheard));
    },
    listen(orderId, listener) {
      emitter.on(String(orderId), listener);
      return () => emitter.off(String(orderId), listener);
    },
    sequence: (orderId) => sequences.get(orderId) ?? 0,
  };
}
