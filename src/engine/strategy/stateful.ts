/**
 * A stateful app's rollout: the StatefulSet's template moves to the up revision with the partition
 * at its replicas, and each batch lowers the partition, so the highest ordinals move first. A first
 * release scales up instead, and rolling one back scales down, batch by batch.
 */
import { batchInProgress, failuresAmong, live, ordinalOf, sides, waitOrFail } from './steps.js';
import type { RolloutInput, RolloutStep, RolloutStrategy } from './types.js';

function step(i: RolloutInput): RolloutStep {
  const { up, down } = sides(i);
  const { last, done } = batchInProgress(i);
  const sts = i.observation.statefulSet;
  const pods = live(i.observation);
  if (!up) {
    // Rolling back a first release: remove the new instances, batch by batch.
    const target = last ? 0 : Math.max(0, i.to.instances - done);
    if (sts && sts.replicas > target) return { kind: 'ACT', action: { op: 'scaleRevision', revision: i.to.number, replicas: target } };
    const left = pods.filter((p) => (ordinalOf(p.name) ?? 0) >= target);
    if (left.length) return waitOrFail(i, left.map((p) => p.name), `${left.length} instance(s) still stopping`, true);
    return { kind: 'BATCH_DONE' };
  }
  if (!sts || sts.revision !== up.number) return { kind: 'PREPARE' };
  let from: number;
  let until: number;
  if (!down) {
    const target = last ? up.instances : Math.min(up.instances, done);
    if (sts.replicas < target) return { kind: 'ACT', action: { op: 'scaleRevision', revision: up.number, replicas: target } };
    [from, until] = [0, target];
  } else {
    const partition = last ? 0 : Math.max(0, up.instances - done);
    if (sts.partition > partition) return { kind: 'ACT', action: { op: 'setPartition', partition } };
    [from, until] = [partition, up.instances];
  }
  const inBatch = pods.filter((p) => {
    const n = ordinalOf(p.name);
    return n !== null && n >= from && n < until;
  });
  const failures = failuresAmong(inBatch.filter((p) => p.revision === up.number));
  if (failures.length) return { kind: 'FAILED', failures };
  const good = inBatch.filter((p) => p.revision === up.number && p.ready).length;
  if (good < until - from) {
    const notReady = inBatch.filter((p) => !(p.revision === up.number && p.ready)).map((p) => p.name);
    return waitOrFail(i, notReady, `${good} of ${until - from} instance(s) on revision ${up.number} and Ready`);
  }
  return { kind: 'BATCH_DONE' };
}

export const statefulRollout: RolloutStrategy = {
  appType: 'STATEFUL',

  // The StatefulSet's template becomes the up revision: with the partition at its instances (no pod
  // moves yet) when another revision runs, else at zero replicas for the first batch to scale up.
  prepareRevision(i, up, down) {
    if (i.observation.statefulSet?.revision === up.number) return []; // already this revision's template: keep its partition
    return down
      ? [{ op: 'ensureRevision', revision: up.number, replicas: up.instances, partition: up.instances }]
      : [{ op: 'ensureRevision', revision: up.number, replicas: 0, partition: 0 }];
  },

  step,

  // From the highest ordinal down: lowering the partition moves those first.
  batchOrder: (instances) => [...instances].sort((a, b) => (ordinalOf(b.name) ?? 0) - (ordinalOf(a.name) ?? 0)),
};
