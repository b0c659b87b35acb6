import { describe, expect, it } from 'vitest';
import { freshCursor } from '../../src/engine/order-state.js';
import { ordinalOf, prepareActions, rolloutStep, type RolloutInput } from '../../src/engine/rollout.js';
import type { EnvironmentObservation, ObservedInstance, ObservedRevision } from '../../src/kube/workloads-types.js';

const now = new Date('2026-11-25T17:00:00Z');

const pod = (name: string, revision: number, ready: boolean, extra: Partial<ObservedInstance> = {}): ObservedInstance => ({
  name,
  revision,
  phase: 'Running',
  ready,
  terminating: false,
  restarts: 0,
  node: 'node-1',
  ip: null,
  createdAt: now,
  containers: [],
  failure: null,
  lastWarning: null,
  ...extra,
});
const rev = (number: number, desired: number, current: number, ready: number): ObservedRevision => ({ number, desired, current, ready, workload: `web-production-r${number}` });
const obs = (revisions: ObservedRevision[], instances: ObservedInstance[] = [], statefulSet: EnvironmentObservation['statefulSet'] = null): EnvironmentObservation => ({
  revisions,
  instances,
  statefulSet,
  observedAt: now,
});

function input(extra: Partial<RolloutInput> & { batchesDone?: number }): RolloutInput {
  return {
    appType: 'STATELESS',
    direction: 'FORWARD',
    plan: [2, 2],
    cursor: { ...freshCursor(now), prepared: true, batchesDone: extra.batchesDone ?? 0, batchStartedAt: now.getTime() },
    from: { number: 1, instances: 4 },
    to: { number: 2, instances: 4 },
    observation: obs([]),
    now,
    batchDeadlineMs: 60_000,
    ...extra,
  };
}

describe('stateless rollout: 4 → 4 instances in 2 batches', () => {
  const table: [string, number, ObservedRevision[], ReturnType<typeof rolloutStep>][] = [
    ['batch 1 scales the new revision up first', 0, [rev(1, 4, 4, 4), rev(2, 0, 0, 0)], { kind: 'ACT', action: { op: 'scaleRevision', revision: 2, replicas: 2 } }],
    ['then waits for the new instances to be Ready', 0, [rev(1, 4, 4, 4), rev(2, 2, 2, 1)], { kind: 'WAIT', why: '1 of 2 instance(s) of revision 2 Ready', deadlineAt: now.getTime() + 60_000 }],
    ['then scales the old one down by as many', 0, [rev(1, 4, 4, 4), rev(2, 2, 2, 2)], { kind: 'ACT', action: { op: 'scaleRevision', revision: 1, replicas: 2 } }],
    ['and waits until the old instances are gone', 0, [rev(1, 2, 3, 3), rev(2, 2, 2, 2)], { kind: 'WAIT', why: 'revision 1 scaling down to 2', deadlineAt: now.getTime() + 60_000 }],
    ['then the batch is done', 0, [rev(1, 2, 2, 2), rev(2, 2, 2, 2)], { kind: 'BATCH_DONE' }],
    ['batch 2 scales the new revision to all', 1, [rev(1, 2, 2, 2), rev(2, 2, 2, 2)], { kind: 'ACT', action: { op: 'scaleRevision', revision: 2, replicas: 4 } }],
    ['and the old one to zero', 1, [rev(1, 2, 2, 2), rev(2, 4, 4, 4)], { kind: 'ACT', action: { op: 'scaleRevision', revision: 1, replicas: 0 } }],
    ['leftovers of other revisions go to zero at the end', 1, [rev(1, 0, 0, 0), rev(2, 4, 4, 4), rev(7, 1, 1, 1)], { kind: 'ACT', action: { op: 'scaleRevision', revision: 7, replicas: 0 } }],
    ['and waits until their instances are gone too', 1, [rev(1, 0, 0, 0), rev(2, 4, 4, 4), rev(7, 0, 1, 1)], { kind: 'WAIT', why: 'revision 7 scaling down to 0', deadlineAt: now.getTime() + 60_000 }],
    ['but not for pods whose Deployment is gone (not cairn\'s to stop)', 1, [rev(1, 0, 0, 0), rev(2, 4, 4, 4), { ...rev(7, 0, 1, 1), workload: '' }], { kind: 'BATCH_DONE' }],
    ['done when only the new revision runs', 1, [rev(1, 0, 0, 0), rev(2, 4, 4, 4)], { kind: 'BATCH_DONE' }],
    ['a missing workload is prepared again', 0, [rev(1, 4, 4, 4)], { kind: 'PREPARE' }],
  ];
  it.each(table)('%s', (_name, batchesDone, revisions, step) => {
    expect(rolloutStep(input({ batchesDone, observation: obs(revisions) }))).toEqual(step);
  });

  it('ready capacity never drops below min(old, new) when following the steps', () => {
    for (const [oldN, newN, batches] of [
      [4, 4, 2],
      [2, 5, 3],
      [5, 2, 2],
      [3, 3, 3],
    ] as const) {
      const plan = Array.from({ length: batches }, (_, i) => Math.floor(newN / batches) + (i < newN % batches ? 1 : 0));
      const state: { old: number; new: number } = { old: oldN, new: 0 };
      let batchesDone = 0;
      for (let guard = 0; guard < 50 && batchesDone < plan.length; guard++) {
        const step = rolloutStep(
          input({ plan, batchesDone, from: { number: 1, instances: oldN }, to: { number: 2, instances: newN }, observation: obs([rev(1, state.old, state.old, state.old), rev(2, state.new, state.new, state.new)]) }),
        );
        if (step.kind === 'BATCH_DONE') batchesDone++;
        else if (step.kind === 'ACT' && step.action.op === 'scaleRevision') state[step.action.revision === 1 ? 'old' : 'new'] = step.action.replicas;
        else throw new Error(`unexpected ${JSON.stringify(step)}`);
        expect(state.old + state.new).toBeGreaterThanOrEqual(Math.min(oldN, newN));
      }
      expect(state).toEqual({ old: 0, new: newN });
    }
  });

  it('a failed new instance fails the batch with its reason', () => {
    const failing = pod('web-r2-a', 2, false, { failure: { reason: 'IMAGE_PULL', message: 'Failed to pull image "nginx:nope"' } });
    const step = rolloutStep(input({ observation: obs([rev(1, 4, 4, 4), rev(2, 2, 2, 1)], [pod('web-r2-b', 2, true), failing]) }));
    expect(step).toEqual({ kind: 'FAILED', failures: [{ name: 'web-r2-a', reason: 'IMAGE_PULL', message: 'Failed to pull image "nginx:nope"' }] });
  });

  it('instances not Ready by the batch deadline fail', () => {
    const late = new Date(now.getTime() + 60_000);
    const step = rolloutStep(input({ now: late, observation: obs([rev(1, 4, 4, 4), rev(2, 2, 2, 1)], [pod('a', 2, true), pod('b', 2, false)]) }));
    expect(step).toEqual({ kind: 'FAILED', failures: [{ name: 'b', reason: 'DEADLINE_EXCEEDED', message: expect.stringContaining('batch deadline of 60s') }] });
  });

  it('old instances still running at the batch deadline fail, named (a controller that does not remove them)', () => {
    const late = new Date(now.getTime() + 60_000);
    const observation = obs([rev(1, 2, 3, 3), rev(2, 2, 2, 2)], [pod('web-r1-a', 1, true), pod('web-r1-b', 1, true), pod('web-r1-c', 1, true), pod('web-r1-d', 1, false, { terminating: true }), pod('web-r2-a', 2, true), pod('web-r2-b', 2, true)]);
    const message = 'still running at the batch deadline of 60s (revision 1 scaling down to 2)';
    expect(rolloutStep(input({ now: late, observation }))).toEqual({
      kind: 'FAILED',
      failures: ['web-r1-a', 'web-r1-b', 'web-r1-c'].map((name) => ({ name, reason: 'DEADLINE_EXCEEDED', message })),
    });
    expect(rolloutStep(input({ now: new Date(late.getTime() - 1), observation }))).toEqual({ kind: 'WAIT', why: 'revision 1 scaling down to 2', deadlineAt: late.getTime() });
  });

  it('a first release only scales the new revision up', () => {
    const first = input({ from: null, observation: obs([rev(2, 0, 0, 0)]) });
    expect(rolloutStep(first)).toEqual({ kind: 'ACT', action: { op: 'scaleRevision', revision: 2, replicas: 2 } });
    expect(rolloutStep({ ...first, observation: obs([rev(2, 2, 2, 2)]) })).toEqual({ kind: 'BATCH_DONE' });
  });

  it('rolling back scales the previous revision up first, then the new one down', () => {
    const back = input({ direction: 'BACKWARD', batchesDone: 0 });
    expect(rolloutStep({ ...back, observation: obs([rev(1, 2, 2, 2), rev(2, 2, 2, 2)]) })).toEqual({ kind: 'BATCH_DONE' });
    const last = input({ direction: 'BACKWARD', batchesDone: 1 });
    expect(rolloutStep({ ...last, observation: obs([rev(1, 2, 2, 2), rev(2, 2, 2, 2)]) })).toEqual({ kind: 'ACT', action: { op: 'scaleRevision', revision: 1, replicas: 4 } });
    expect(rolloutStep({ ...last, observation: obs([rev(1, 4, 4, 4), rev(2, 2, 2, 2)]) })).toEqual({ kind: 'ACT', action: { op: 'scaleRevision', revision: 2, replicas: 0 } });
  });

  it('rolling back a first release removes the new instances, then the revision', () => {
    const back = input({ direction: 'BACKWARD', from: null, batchesDone: 1 });
    expect(rolloutStep({ ...back, observation: obs([rev(2, 2, 2, 2)]) })).toEqual({ kind: 'ACT', action: { op: 'scaleRevision', revision: 2, replicas: 0 } });
    expect(rolloutStep({ ...back, observation: obs([rev(2, 0, 0, 0)]) })).toEqual({ kind: 'ACT', action: { op: 'removeRevision', revision: 2 } });
    expect(rolloutStep({ ...back, observation: obs([]) })).toEqual({ kind: 'BATCH_DONE' });
  });

  it('prepare ensures the base, then the revision: a new one at the first batch’s target (the batch starts with it)', () => {
    expect(prepareActions(input({ observation: obs([rev(1, 4, 4, 4)]) }))).toEqual([
      { op: 'ensureBase', revision: 2 },
      { op: 'ensureRevision', revision: 2, replicas: 2 },
    ]);
    // The next step waits for those instances: nothing scales again, the old revision stays.
    expect(rolloutStep(input({ observation: obs([rev(1, 4, 4, 4), rev(2, 2, 0, 0)]) }))).toMatchObject({ kind: 'WAIT' });
    expect(prepareActions(input({ direction: 'BACKWARD', from: null }))).toEqual([]);
  });

  it('prepare of a rollback ensures the base with the restored revision (its ports), then that revision', () => {
    expect(prepareActions(input({ direction: 'BACKWARD', observation: obs([rev(1, 2, 2, 2), rev(2, 2, 2, 2)]) }))).toEqual([
      { op: 'ensureBase', revision: 1 },
      { op: 'ensureRevision', revision: 1, replicas: 2 },
    ]);
  });
});

describe('stateful rollout: one StatefulSet, the partition lowered per batch', () => {
  const sts = (revision: number, replicas: number, partition: number) => ({ name: 'db-production', revision, replicas, partition, observed: true });
  const pods = (revs: number[], ready = true) => revs.map((r, i) => pod(`db-production-${i}`, r, ready));
  const base = { appType: 'STATEFUL' as const };

  it.each<[string, number, EnvironmentObservation, ReturnType<typeof rolloutStep>]>([
    ['batch 1 lowers the partition to 2', 0, obs([], pods([1, 1, 1, 1]), sts(2, 4, 4)), { kind: 'ACT', action: { op: 'setPartition', partition: 2 } }],
    ['then waits for ordinals 2 and 3 on the new revision', 0, obs([], pods([1, 1, 1, 2]), sts(2, 4, 2)), expect.objectContaining({ kind: 'WAIT' })],
    ['batch 1 done', 0, obs([], pods([1, 1, 2, 2]), sts(2, 4, 2)), { kind: 'BATCH_DONE' }],
    ['batch 2 lowers the partition to 0', 1, obs([], pods([1, 1, 2, 2]), sts(2, 4, 2)), { kind: 'ACT', action: { op: 'setPartition', partition: 0 } }],
    ['batch 2 done', 1, obs([], pods([2, 2, 2, 2]), sts(2, 4, 0)), { kind: 'BATCH_DONE' }],
    ['a template of another revision is prepared again', 0, obs([], pods([1, 1, 1, 1]), sts(1, 4, 0)), { kind: 'PREPARE' }],
  ])('%s', (_name, batchesDone, observation, step) => {
    expect(rolloutStep(input({ ...base, batchesDone, observation }))).toEqual(step);
  });

  it('a crash-looping updated pod fails the batch', () => {
    const observation = obs([], [...pods([1, 1, 1]), pod('db-production-3', 2, false, { failure: { reason: 'CRASH_LOOP', message: 'back-off restarting' } })], sts(2, 4, 2));
    expect(rolloutStep(input({ ...base, observation }))).toEqual({ kind: 'FAILED', failures: [{ name: 'db-production-3', reason: 'CRASH_LOOP', message: 'back-off restarting' }] });
  });

  it('a first stateful release scales up per batch', () => {
    const first = input({ ...base, from: null, observation: obs([], [], sts(2, 0, 0)) });
    expect(rolloutStep(first)).toEqual({ kind: 'ACT', action: { op: 'scaleRevision', revision: 2, replicas: 2 } });
    expect(rolloutStep({ ...first, observation: obs([], pods([2, 2]), sts(2, 2, 0)) })).toEqual({ kind: 'BATCH_DONE' });
    expect(prepareActions({ ...first, observation: obs([]) })).toEqual([{ op: 'ensureBase', revision: 2 }, { op: 'ensureRevision', revision: 2, replicas: 0, partition: 0 }]);
  });

  it('rolling back a first stateful release waits for the instances above the target to stop, until the batch deadline', () => {
    const back = input({ ...base, direction: 'BACKWARD', from: null, plan: [2, 2], batchesDone: 0 });
    const observation = obs([], [...pods([2, 2, 2]), pod('db-production-3', 2, false, { terminating: true })], sts(2, 2, 0));
    expect(rolloutStep({ ...back, observation })).toEqual({ kind: 'WAIT', why: '1 instance(s) still stopping', deadlineAt: now.getTime() + 60_000 });
    expect(rolloutStep({ ...back, observation, now: new Date(now.getTime() + 60_000) })).toEqual({
      kind: 'FAILED',
      failures: [{ name: 'db-production-2', reason: 'DEADLINE_EXCEEDED', message: 'still running at the batch deadline of 60s (1 instance(s) still stopping)' }],
    });
    expect(rolloutStep({ ...back, observation: obs([], pods([2, 2]), sts(2, 2, 0)) })).toEqual({ kind: 'BATCH_DONE' });
  });

  it('prepare of a stateful rollback ensures the base (Services) with the restored revision and moves the template back', () => {
    expect(prepareActions(input({ ...base, direction: 'BACKWARD', observation: obs([], pods([1, 1, 2, 2]), sts(2, 4, 2)) }))).toEqual([
      { op: 'ensureBase', revision: 1 },
      { op: 'ensureRevision', revision: 1, replicas: 4, partition: 4 },
    ]);
  });

  it('prepare sets the new template with the partition at the top, once', () => {
    expect(prepareActions(input({ ...base, observation: obs([], pods([1, 1, 1, 1]), sts(1, 4, 0)) }))).toEqual([
      { op: 'ensureBase', revision: 2 },
      { op: 'ensureRevision', revision: 2, replicas: 4, partition: 4 },
    ]);
    expect(prepareActions(input({ ...base, observation: obs([], pods([1, 1, 1, 2]), sts(2, 4, 3)) }))).toEqual([{ op: 'ensureBase', revision: 2 }]);
  });

  it('ordinalOf reads the pod name suffix', () => {
    expect(ordinalOf('db-production-12')).toBe(12);
    expect(ordinalOf('web')).toBeNull();
  });
});
