/**
 * A stateless app's rollout: a batch scales the up revision's Deployment to the batch's target,
 * waits until that many are Ready, then scales the down revision by as many (ready capacity never
 * drops below min(old, new)); the last batch also stops leftovers of other revisions.
 */
import { batchInProgress, failuresAmong, live, sides, waitOrFail } from './steps.js';
import type { RolloutInput, RolloutStep, RolloutStrategy } from './types.js';

/** The up revision's replicas once the batch in progress has started. */
function upTarget(i: RolloutInput, up: { instances: number }): number {
  const { last, done } = batchInProgress(i);
  return last ? up.instances : Math.min(up.instances, done);
}

function step(i: RolloutInput): RolloutStep {
  const { up, down } = sides(i);
  const { last, done } = batchInProgress(i);
  const rev = (n: number) => i.observation.revisions.find((r) => r.number === n);
  if (up) {
    const target = upTarget(i, up);
    const r = rev(up.number);
    if (!r) return { kind: 'PREPARE' };
    if (r.desired < target) return { kind: 'ACT', action: { op: 'scaleRevision', revision: up.number, replicas: target } };
    const pods = live(i.observation).filter((p) => p.revision === up.number);
    const failures = failuresAmong(pods);
    if (failures.length) return { kind: 'FAILED', failures };
    if (r.ready < target) {
      return waitOrFail(i, pods.filter((p) => !p.ready).map((p) => p.name), `${r.ready} of ${target} instance(s) of revision ${up.number} Ready`);
    }
  }
  if (down) {
    const target = last ? 0 : Math.max(0, down.instances - done);
    const r = rev(down.number);
    if (r && r.desired > target) return { kind: 'ACT', action: { op: 'scaleRevision', revision: down.number, replicas: target } };
    if (r && r.current > target) {
      const running = live(i.observation).filter((p) => p.revision === down.number).map((p) => p.name);
      return waitOrFail(i, running, `revision ${down.number} scaling down to ${target}`, true);
    }
  }
  if (last) {
    const others = i.observation.revisions.filter((r) => r.number !== up?.number && r.number !== down?.number && r.desired > 0);
    if (others.length) return { kind: 'ACT', action: { op: 'scaleRevision', revision: others[0]!.number, replicas: 0 } };
    // The order is done only once the leftovers' instances are gone too (what a user sees then is the new revision alone);
    // pods whose Deployment is gone (orphaned, or made by hand) are not cairn's to stop.
    const leftovers = i.observation.revisions.filter((r) => r.number !== up?.number && r.number !== down?.number && r.current > 0 && r.workload !== '').map((r) => r.number);
    if (leftovers.length) {
      const running = live(i.observation).filter((p) => p.revision !== null && leftovers.includes(p.revision)).map((p) => p.name);
      return waitOrFail(i, running, `revision ${leftovers.join(', ')} scaling down to 0`, true);
    }
    if (!up && down && rev(down.number)) return { kind: 'ACT', action: { op: 'removeRevision', revision: down.number } };
  }
  return { kind: 'BATCH_DONE' };
}

export const statelessRollout: RolloutStrategy = {
  appType: 'STATELESS',

  // The up revision's Deployment, at the replicas it has. A new one is created at the batch in progress's
  // target — what the step would scale it to next — so the batch starts with the Deployment: one write and
  // one wait for the watch fewer per release. Nothing else moves first: the down revision is scaled only
  // once these are Ready.
  prepareRevision(i, up) {
    const existing = i.observation.revisions.find((r) => r.number === up.number);
    return [{ op: 'ensureRevision', revision: up.number, replicas: existing?.desired ?? upTarget(i, up) }];
  },

  step,

  // Pods by creation time: the first batch's were created first.
  batchOrder: (instances) => [...instances].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name)),
};
