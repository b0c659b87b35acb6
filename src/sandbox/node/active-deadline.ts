/**
 * `spec.activeDeadlineSeconds` as the kubelet's activeDeadlineHandler enforces it
 * (pkg/kubelet/active_deadline.go): once a pod has been active on the node (since `status.startTime`)
 * for its deadline, it fails with reason `DeadlineExceeded` and its containers are killed. Pure.
 */
import type { EventMessage } from './messages.js';
import type { Pod } from './types.js';

export const DEADLINE_REASON = 'DeadlineExceeded';
export const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';

/** The Normal event the handler records when it evicts the pod. */
export const deadlineEvent = (): EventMessage => ({ type: 'Normal', reason: DEADLINE_REASON, message: DEADLINE_MESSAGE });

/**
 * Simulated ms left before the pod passes its active deadline (0 when already past), or undefined
 * when it has no deadline. `elapsedMs`: simulated time since the pod's start time.
 */
export function deadlineRemainingMs(pod: Pod, elapsedMs: number): number | undefined {
  const seconds = pod.spec.activeDeadlineSeconds;
  if (typeof seconds !== 'number') return undefined;
  return Math.max(0, seconds * 1000 - elapsedMs);
}
