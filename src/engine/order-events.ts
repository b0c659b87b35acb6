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

export function createOrderEvents(): OrderEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const sequences = new Map<number, number>();
  return {
    publish(orderId) {
      const next = (sequences.get(orderId) ?? 0) + 1;
      sequences.set(orderId, next);
      emitter.emit(String(orderId), next);
    },
    listen(orderId, listener) {
      emitter.on(String(orderId), listener);
      return () => emitter.off(String(orderId), listener);
    },
    sequence: (orderId) => sequences.get(orderId) ?? 0,
  };
}
