import type { ReleaseOrderRow } from '../db/release-tables.js';
import type { Effect, OrderEvent } from './transition.js';

/**
 * Watches the release engine from outside (metrics, traces): what it already does — its passes, its steps and
 * the events it applies — without touching its rules. Every member is optional; without an observer the engine
 * runs as before.
 */
export interface EngineObserver {
  /** The reconciler was asked for a pass over the order (by a mutation, an informer event, a timer), in the asker's async context. */
  woken?(orderId: number): void;
  /** Runs one pass over the order (e.g. inside a span). */
  pass?<T>(orderId: number, run: () => Promise<T>): Promise<T>;
  /** Runs one step of a pass: a call to the cluster (`op`: ensureRevision, scaleRevision …; `description` in words). */
  step?<T>(orderId: number, op: string, description: string, run: () => Promise<T>): Promise<T>;
  /** The engine stored an event of the order: the order as it was before, the event and the effects carried out. */
  applied?(before: ReleaseOrderRow, event: OrderEvent, effects: readonly Effect[], now: Date): void;
  /** The reconciler is done with the order (finished, or gone). */
  done?(orderId: number): void;
}
