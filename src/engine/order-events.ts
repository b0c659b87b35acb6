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
 * Forgets the entries of `maps` (keyed by order ID) of orders nobody listens to, oldest first, once there are more than
 * `max` entries, down to half of it: a long-running cairn does not keep a number for every order it ever published. A
 * forgotten order numbers from 0 again, which no subscriber sees go back (each subscriber's numbers rise on their own:
 * src/engine/order-updates.ts). Amortized O(1) per call.
 */
export function forgetUnheard(maps: ReadonlyArray<Map<number, unknown>>, listened: (orderId: number) => boolean, max = MAX_UNHEARD_ORDERS): void {
  const [first] = maps;
  if (!first || first.size <= max) return;
  for (const orderId of first.keys()) {
    if (first.size <= max / 2) break;
    if (listened(orderId)) continue;
    for (const map of maps) map.delete(orderId);
  }
}

export function createOrderEvents(options: { maxUnheard?: number } = {}): OrderEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const sequences = new Map<number, number>();
  const listened = (orderId: number) => emitter.listenerCount(String(orderId)) > 0;
  return {
    publish(orderId) {
      const next = (sequences.get(orderId) ?? 0) + 1;
      sequences.delete(orderId); // to the end: the most recently published
      sequences.set(orderId, next);
      emitter.emit(String(orderId), next);
      forgetUnheard([sequences], listened, options.maxUnheard);
    },
    listen(orderId, listener) {
      emitter.on(String(orderId), listener);
      return () => emitter.off(String(orderId), listener);
    },
    sequence: (orderId) => sequences.get(orderId) ?? 0,
  };
}
