import type { Direction, OrderCursor, OrderStateName, PauseMode } from '../db/release-tables.js';

export type { Direction, OrderCursor, OrderStateName, PauseMode };

/** What the pure transition function knows of an order. */
export interface OrderSnapshot {
  state: OrderStateName;
  pauseMode: PauseMode;
  direction: Direction;
  plan: number[];
  cursor: OrderCursor;
  /** Names of the instances that failed and were neither retried nor left behind by a rollback. */
  openFailures: string[];
}

export const TERMINAL_STATES: readonly OrderStateName[] = ['COMPLETED', 'CLOSED', 'ROLLED_BACK'];
export const isTerminal = (s: OrderStateName) => TERMINAL_STATES.includes(s);

export const freshCursor = (now: Date): OrderCursor => ({ batchesDone: 0, prepared: false, batchStartedAt: now.getTime(), recreate: [], retryAt: null });

/** The actor of the engine's own transitions (batch done, instances failed). */
export const ENGINE_ACTOR = 'cairn';

/** One instance that cannot become Ready, with why. */
export interface FailedInstance {
  name: string;
  reason: string;
  message: string;
}
