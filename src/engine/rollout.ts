import type { EnvironmentObservation, ObservedInstance } from '../kube/workloads-types.js';
import type { Direction, FailedInstance, OrderCursor } from './order-state.js';
import { cumulative } from './plan.js';

/** One idempotent call to the Kubernetes layer, as data; the reconciler carries it out. */
export type KubeAction =
  | { op: 'ensureBase'; revision: number }
  | { op: 'ensureRevision'; revision: number; replicas: number; partition?: number }
  | { op: 'scaleRevision'; revision: number; replicas: number }
  | { op: 'setPartition'; partition: number }
  | { op: 'deleteInstances'; names: string[] }
  | { op: 'removeRevision'; revision: number };

export type RolloutStep =
  | { kind: 'ACT'; action: KubeAction }
  /** The objects of the current direction must be (re-)ensured first. */
  | { kind: 'PREPARE' }
  | { kind: 'WAIT'; why: string; deadlineAt: number | null }
  | { kind: 'BATCH_DONE' }
  | { kind: 'FAILED'; failures: FailedInstance[] };

export interface RolloutInput {
  appType: 'STATELESS' | 'STATEFUL';
  direction: Direction;
  plan: number[];
  cursor: OrderCursor;
  /** The revision running before the order (null for a first release) and the order's revision, with their instance counts. */
  from: { number: number; instances: number } | null;
  to: { number: number; instances: number };
  observation: EnvironmentObservation;
  now: Date;
  /** How long a batch may take before its instances that are not Ready fail. */
  batchDeadlineMs: number;
}

export const DEADLINE_REASON = 'DEADLINE_EXCEEDED';

/** The ordinal of a StatefulSet pod (`name-3` → 3), or null. */
export function ordinalOf(podName: string): number | null {
  const m = /-(\d+)$/.exec(podName);
  return m ? Number(m[1]) : null;
}

const sides = (i: RolloutInput) => (i.direction === 'FORWARD' ? { up: i.to, down: i.from } : { up: i.from, down: i.to });

/**
 * The calls that set up the current direction's objects before its first batch. The Services follow
 * the revision the direction brings up: forward the order's, backward the one restored (its ports,
 * or no Service when it maps none); rolling back a first release leaves them as they are.
 */
export function prepareActions(i: RolloutInput): KubeAction[] {
  const { up, down } = sides(i);
  const actions: KubeAction[] = [];
  if (!up) return actions;
  actions.push({ op: 'ensureBase', revision: up.number });
  if (i.appType === 'STATELESS') {
    const existing = i.observation.revisions.find((r) => r.number === up.number);
    actions.push({ op: 'ensureRevision', revision: up.number, replicas: existing?.desired ?? 0 });
    return actions;
  }
  const sts = i.observation.statefulSet;
  if (sts?.revision === up.number) return actions; // already this revision's template: keep its partition
  if (down) actions.push({ op: 'ensureRevision', revision: up.number, replicas: up.instances, partition: up.instances });
  else actions.push({ op: 'ensureRevision', revision: up.number, replicas: 0, partition: 0 });
  return actions;
}

const live = (obs: EnvironmentObservation) => obs.instances.filter((p) => !p.terminating);

function failuresAmong(pods: ObservedInstance[]): FailedInstance[] {
  return pods.filter((p) => p.failure).map((p) => ({ name: p.name, reason: p.failure!.reason, message: p.failure!.message }));
}

/**
 * Waits for the batch, or, once the batch deadline passed, fails the instances it waits for:
 * `stuck` are those not Ready yet, or with `stopping`, those still running that should be gone.
 */
function waitOrFail(i: RolloutInput, stuck: string[], why: string, stopping = false): RolloutStep {
  const deadlineAt = i.cursor.batchStartedAt === null ? null : i.cursor.batchStartedAt + i.batchDeadlineMs;
  if (deadlineAt !== null && i.now.getTime() >= deadlineAt) {
    const seconds = Math.round(i.batchDeadlineMs / 1000);
    const names = stuck.length ? stuck : [stopping ? '(none observed)' : '(no instance was created)'];
    const message = stopping ? `still running at the batch deadline of ${seconds}s (${why})` : `not Ready within the batch deadline of ${seconds}s (${why})`;
    return { kind: 'FAILED', failures: names.map((name) => ({ name, reason: DEADLINE_REASON, message })) };
  }
  return { kind: 'WAIT', why, deadlineAt };
}

/**
 * The next step of the batch in progress, from what the cluster shows. Stateless: scale the up
 * revision to the batch's target, wait until that many are Ready, then scale the down revision
 * by as many (ready capacity never drops below min(old, new)). Stateful: lower the partition.
 */
export function rolloutStep(i: RolloutInput): RolloutStep {
  return i.appType === 'STATELESS' ? statelessStep(i) : statefulStep(i);
}

function statelessStep(i: RolloutInput): RolloutStep {
  const { up, down } = sides(i);
  const index = i.cursor.batchesDone;
  const last = index >= i.plan.length - 1;
  const done = cumulative(i.plan, index + 1);
  const rev = (n: number) => i.observation.revisions.find((r) => r.number === n);
  if (up) {
    const target = last ? up.instances : Math.min(up.instances, done);
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
    if (!up && down && rev(down.number)) return { kind: 'ACT', action: { op: 'removeRevision', revision: down.number } };
  }
  return { kind: 'BATCH_DONE' };
}

function statefulStep(i: RolloutInput): RolloutStep {
  const { up, down } = sides(i);
  const index = i.cursor.batchesDone;
  const last = index >= i.plan.length - 1;
  const done = cumulative(i.plan, index + 1);
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
