import type { KubeError } from '../kube/kube-errors.js';

/** The failed attempts in a row of an order's steps (any step: a success ends the run). */
export interface StepFailureRun {
  /** The step that failed last, in words. */
  step: string;
  error: KubeError;
  /** Attempts in a row that failed. */
  count: number;
}

/**
 * Per order, in memory: how many steps in a row failed, and the last error (for the log and for
 * the DEADLINE_EXCEEDED message when a retryable step keeps failing). A restart starts counting again.
 */
export interface StepFailures {
  record(orderId: number, step: string, error: KubeError): StepFailureRun;
  /** A step succeeded, or the order failed or moved on: the run ends. */
  clear(orderId: number): void;
}

export function createStepFailures(): StepFailures {
  const runs = new Map<number, StepFailureRun>();
  return {
    record(orderId, step, error) {
      const run = { step, error, count: (runs.get(orderId)?.count ?? 0) + 1 };
      runs.set(orderId, run);
      return run;
    },
    clear: (orderId) => void runs.delete(orderId),
  };
}

/** How long to wait before trying a failed step again: 250 ms doubling with each failure, at most `maxMs`. */
export function retryDelayMs(failuresInARow: number, maxMs: number): number {
  return Math.min(maxMs, 250 * 2 ** Math.min(Math.max(0, failuresInARow - 1), 16));
}
