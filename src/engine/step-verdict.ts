import type { KubeError } from '../kube/kube-errors.js';
import type { FailedInstance } from './order-state.js';
import { describeObject, isPermanent, objectFailureName, REFUSED_REASON } from './refusal.js';
import { DEADLINE_REASON } from './rollout.js';
import { retryDelayMs } from './step-failures.js';

export interface FailedStep {
  /** The step in words (describeAction). */
  step: string;
  error: KubeError;
  /** Attempts in a row that failed, this one included. */
  failuresInARow: number;
  now: number;
  /** When the batch in progress started; null: no deadline runs. */
  batchStartedAt: number | null;
  batchDeadlineMs: number;
  /** The longest wait before trying again. */
  retryMaxDelayMs: number;
}

/** What becomes of a failed step: the order fails with this failure, or the step is tried again at `at`. */
export type StepVerdict = { kind: 'FAIL'; failure: FailedInstance } | { kind: 'RETRY'; at: number };

/** `Deployment cairn-shop/shop-r2 (HTTP 409 AlreadyExists): …` */
export function refusalText(error: KubeError): string {
  const status = error.status === null ? (error.reason ?? error.kind) : `HTTP ${error.status}${error.reason ? ` ${error.reason}` : ''}`;
  return `${describeObject(error.object) ?? 'the cluster'} (${status}): ${error.message}`;
}

/**
 * A refusal for good (engine/refusal.ts) fails the order at once (CLUSTER_REFUSED); any other
 * failure is tried again with back-off until the batch deadline, which then fails the order
 * (DEADLINE_EXCEEDED) with the step's last error.
 */
export function stepVerdict(f: FailedStep): StepVerdict {
  const name = objectFailureName(f.error.object, f.step);
  if (isPermanent(f.error)) {
    return { kind: 'FAIL', failure: { name, reason: REFUSED_REASON, message: `${f.step}: refused by the cluster: ${refusalText(f.error)}` } };
  }
  const deadlineAt = f.batchStartedAt === null ? null : f.batchStartedAt + f.batchDeadlineMs;
  if (deadlineAt !== null && f.now >= deadlineAt) {
    const seconds = Math.round(f.batchDeadlineMs / 1000);
    return {
      kind: 'FAIL',
      failure: {
        name,
        reason: DEADLINE_REASON,
        message: `${f.step}: still failing at the batch deadline of ${seconds}s (${f.failuresInARow} attempt(s) in a row); last error: ${refusalText(f.error)}`,
      },
    };
  }
  const retryAt = f.now + retryDelayMs(f.failuresInARow, f.retryMaxDelayMs);
  return { kind: 'RETRY', at: deadlineAt === null ? retryAt : Math.min(retryAt, deadlineAt) };
}
