/** Pure pieces both rollout strategies share. */
import type { EnvironmentObservation, ObservedInstance } from '../../kube/workloads-types.js';
import type { FailedInstance } from '../order-state.js';
import { cumulative } from '../plan.js';
import type { RevisionSide, RolloutInput, RolloutStep } from './types.js';

export const DEADLINE_REASON = 'DEADLINE_EXCEEDED';

/** The ordinal of a StatefulSet pod (`name-3` → 3), or null. */
export function ordinalOf(podName: string): number | null {
  const m = /-(\d+)$/.exec(podName);
  return m ? Number(m[1]) : null;
}

/** The revision the direction brings up and the one it takes down. */
export const sides = (i: RolloutInput): { up: RevisionSide | null; down: RevisionSide | null } =>
  i.direction === 'FORWARD' ? { up: i.to, down: i.from } : { up: i.from, down: i.to };

/** Where the batch in progress stands: its index, whether it is the last, and the instances the plan has moved once it is done. */
export function batchInProgress(i: RolloutInput): { index: number; last: boolean; done: number } {
  const index = i.cursor.batchesDone;
  return { index, last: index >= i.plan.length - 1, done: cumulative(i.plan, index + 1) };
}

export const live = (obs: EnvironmentObservation) => obs.instances.filter((p) => !p.terminating);

export function failuresAmong(pods: ObservedInstance[]): FailedInstance[] {
  return pods.filter((p) => p.failure).map((p) => ({ name: p.name, reason: p.failure!.reason, message: p.failure!.message }));
}

/**
 * Waits for the batch, or, once the batch deadline passed, fails the instances it waits for:
 * `stuck` are those not Ready yet, or with `stopping`, those still running that should be gone.
 */
export function waitOrFail(i: RolloutInput, stuck: string[], why: string, stopping = false): RolloutStep {
  const deadlineAt = i.cursor.batchStartedAt === null ? null : i.cursor.batchStartedAt + i.batchDeadlineMs;
  if (deadlineAt !== null && i.now.getTime() >= deadlineAt) {
    const seconds = Math.round(i.batchDeadlineMs / 1000);
    const names = stuck.length ? stuck : [stopping ? '(none observed)' : '(no instance was created)'];
    const message = stopping ? `still running at the batch deadline of ${seconds}s (${why})` : `not Ready within the batch deadline of ${seconds}s (${why})`;
    return { kind: 'FAILED', failures: names.map((name) => ({ name, reason: DEADLINE_REASON, message })) };
  }
  return { kind: 'WAIT', why, deadlineAt };
}
