/** The rollout strategy an app type picks, and each strategy's pure rules called directly. */
import { describe, expect, it } from 'vitest';
import type { ReleaseOrderRow } from '../../src/db/release-tables.js';
import { describeBatches } from '../../src/engine/batches.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { prepareActions, rolloutStep } from '../../src/engine/rollout.js';
import { rolloutStrategy, statefulRollout, statelessRollout, type RolloutInput, type RolloutStrategy } from '../../src/engine/strategy/index.js';
import type { AppType, EnvironmentObservation, ObservedInstance } from '../../src/kube/workloads-types.js';

const now = new Date('2026-12-06T12:00:00Z');

const pod = (name: string, revision: number, createdSecondsAgo = 0): ObservedInstance => ({
  name,
  revision,
  phase: 'Running',
  ready: true,
  terminating: false,
  restarts: 0,
  node: 'node-1',
  ip: null,
  createdAt: new Date(now.getTime() - createdSecondsAgo * 1000),
  containers: [],
  failure: null,
  lastWarning: null,
});

const observation = (extra: Partial<EnvironmentObservation> = {}): EnvironmentObservation => ({ revisions: [], instances: [], statefulSet: null, observedAt: now, ...extra });

function input(appType: AppType, extra: Partial<RolloutInput> = {}): RolloutInput {
  return {
    appType,
    direction: 'FORWARD',
    plan: [2, 2],
    cursor: { ...freshCursor(now), prepared: true, batchStartedAt: now.getTime() },
    from: { number: 1, instances: 4 },
    to: { number: 2, instances: 4 },
    observation: observation(),
    now,
    batchDeadlineMs: 60_000,
    ...extra,
  };
}

describe('rolloutStrategy(appType)', () => {
  it.each<[AppType, RolloutStrategy]>([
    ['STATELESS', statelessRollout],
    ['STATEFUL', statefulRollout],
  ])('%s → its own strategy', (appType, strategy) => {
    expect(rolloutStrategy(appType)).toBe(strategy);
    expect(strategy.appType).toBe(appType);
  });

  it('refuses an app type it does not know', () => {
    expect(() => rolloutStrategy('BATCH' as AppType)).toThrow(/no rollout strategy for app type BATCH/);
  });

  it('rolloutStep and prepareActions follow the input’s app type', () => {
    // The same cluster view: four pods of revision 1, revision 2's workload present at zero.
    const obs = observation({
      revisions: [
        { number: 1, desired: 4, current: 4, ready: 4, workload: 'x' },
        { number: 2, desired: 0, current: 0, ready: 0, workload: 'x' },
      ],
      instances: [0, 1, 2, 3].map((n) => pod(`db-production-${n}`, 1)),
      statefulSet: { name: 'db-production', revision: 2, replicas: 4, partition: 4, observed: true },
    });
    for (const appType of ['STATELESS', 'STATEFUL'] as const) {
      const i = input(appType, { observation: obs });
      expect(rolloutStep(i)).toEqual(rolloutStrategy(appType).step(i));
      expect(prepareActions(i)).toEqual([{ op: 'ensureBase', revision: 2 }, ...rolloutStrategy(appType).prepareRevision(i, i.to, i.from)]);
    }
    expect(rolloutStep(input('STATELESS', { observation: obs }))).toEqual({ kind: 'ACT', action: { op: 'scaleRevision', revision: 2, replicas: 2 } });
    expect(rolloutStep(input('STATEFUL', { observation: obs }))).toEqual({ kind: 'ACT', action: { op: 'setPartition', partition: 2 } });
  });
});

describe('prepareRevision: the up revision’s workload', () => {
  const up = { number: 2, instances: 4 };
  const down = { number: 1, instances: 3 };
  const table: [string, RolloutStrategy, EnvironmentObservation, typeof down | null, ReturnType<RolloutStrategy['prepareRevision']>, { batchesDone?: number; direction?: 'BACKWARD' }?][] = [
    ['stateless, a new Deployment: at the batch in progress’s target (the batch starts with it)', statelessRollout, observation(), down, [{ op: 'ensureRevision', revision: 2, replicas: 2 }]],
    [
      'stateless, a new Deployment in a later batch (its Deployment was deleted): at that batch’s target',
      statelessRollout,
      observation(),
      down,
      [{ op: 'ensureRevision', revision: 2, replicas: 4 }],
      { batchesDone: 1 },
    ],
    [
      'stateless, a rollback whose revision’s Deployment is gone: at the batch in progress’s target, like a release',
      statelessRollout,
      observation(),
      down,
      [{ op: 'ensureRevision', revision: 2, replicas: 2 }],
      { direction: 'BACKWARD' },
    ],
    [
      'stateless, an existing Deployment: at the replicas it has (a resumed order undoes nothing)',
      statelessRollout,
      observation({ revisions: [{ number: 2, desired: 3, current: 3, ready: 3, workload: 'x' }] }),
      down,
      [{ op: 'ensureRevision', revision: 2, replicas: 3 }],
    ],
    ['stateful over another revision: the template with the partition at the top', statefulRollout, observation(), down, [{ op: 'ensureRevision', revision: 2, replicas: 4, partition: 4 }]],
    ['stateful, a first release: at zero with no partition', statefulRollout, observation(), null, [{ op: 'ensureRevision', revision: 2, replicas: 0, partition: 0 }]],
    [
      'stateful, the template already this revision: nothing (its partition stays)',
      statefulRollout,
      observation({ statefulSet: { name: 'db-production', revision: 2, replicas: 4, partition: 1, observed: true } }),
      down,
      [],
    ],
  ];
  it.each(table)('%s', (_name, strategy, obs, d, actions, extra = {}) => {
    const { direction, ...cursor } = extra;
    const base = input(strategy.appType, { observation: obs, ...(direction ? { direction } : {}) });
    expect(strategy.prepareRevision({ ...base, cursor: { ...base.cursor, ...cursor } }, up, d)).toEqual(actions);
  });
});

describe('batchOrder: the order batches take the incoming instances', () => {
  it('stateless: oldest first, then by name', () => {
    const pods = [pod('web-c', 2, 10), pod('web-a', 2, 5), pod('web-b', 2, 10), pod('web-d', 2, 30)];
    expect(statelessRollout.batchOrder(pods).map((p) => p.name)).toEqual(['web-d', 'web-b', 'web-c', 'web-a']);
  });

  it('stateful: from the highest ordinal down (the partition moves those first)', () => {
    const pods = [pod('db-production-1', 2, 30), pod('db-production-10', 2), pod('db-production-3', 2, 10), pod('db-production-2', 2, 60)];
    expect(statefulRollout.batchOrder(pods).map((p) => p.name)).toEqual(['db-production-10', 'db-production-3', 'db-production-2', 'db-production-1']);
  });

  it('leaves the given list as it was', () => {
    const pods = [pod('db-production-0', 2), pod('db-production-1', 2)];
    statefulRollout.batchOrder(pods);
    expect(pods.map((p) => p.name)).toEqual(['db-production-0', 'db-production-1']);
  });
});

describe('describeBatches assigns the incoming instances in the strategy’s order', () => {
  const order = (direction: 'FORWARD' | 'BACKWARD'): ReleaseOrderRow => ({
    id: 1,
    environmentId: 1,
    kind: 'RELEASE',
    fromRevision: 1,
    toRevision: 2,
    plan: [2, 1],
    pauseMode: 'NONE',
    state: 'DEPLOYING',
    direction,
    cursor: { ...freshCursor(now), batchesDone: 1 },
    version: 1,
    description: '',
    createdBy: 'ana',
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  }) as ReleaseOrderRow;
  const pods = [pod('db-production-0', 2, 30), pod('db-production-2', 2, 10), pod('db-production-1', 2, 20), pod('db-production-3', 1, 40)];

  it.each<[AppType, string[][]]>([
    ['STATELESS', [['db-production-0', 'db-production-1'], ['db-production-2']]],
    ['STATEFUL', [['db-production-2', 'db-production-1'], ['db-production-0']]],
  ])('%s', (appType, byBatch) => {
    const batches = describeBatches(order('FORWARD'), appType, observation({ instances: pods }), []);
    expect(batches.map((b) => b.instances.map((i) => i.name))).toEqual(byBatch);
    expect(batches.map((b) => b.state)).toEqual(['DONE', 'IN_PROGRESS']);
  });

  it('rolling back, the batches take the restored revision’s instances', () => {
    const batches = describeBatches(order('BACKWARD'), 'STATEFUL', observation({ instances: pods }), []);
    expect(batches.map((b) => b.instances.map((i) => i.name))).toEqual([['db-production-3'], []]);
  });
});
