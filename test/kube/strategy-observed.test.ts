/** The pure reading of each strategy: the revisions an environment's workloads hold, from the objects as a cache gives them. */
import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { observedRevisions, statefulStrategy, statelessStrategy, workloadStrategy } from '../../src/kube/strategy/index.js';
import type { ObservedInstance } from '../../src/kube/workloads-types.js';
import { target } from './workloads-helpers.js';

const now = new Date('2026-12-06T12:00:00Z');
const labels = (revision?: number) => ({ 'cairn.dev/app': 'web', ...(revision === undefined ? {} : { 'cairn.dev/revision': String(revision) }) });

const deployment = (revision: number | undefined, replicas: number, extra: { releaseOrder?: string; deleting?: boolean } = {}): V1Deployment => ({
  metadata: {
    name: `web-production-r${revision ?? 'x'}`,
    labels: labels(revision),
    annotations: extra.releaseOrder ? { 'cairn.dev/release-order': extra.releaseOrder } : {},
    ...(extra.deleting ? { deletionTimestamp: now } : {}),
  },
  spec: { replicas, selector: {}, template: {} },
});

const statefulSet = (revision: number, replicas: number, partition: number, extra: { name?: string; generation?: number; observedGeneration?: number; releaseOrder?: string } = {}): V1StatefulSet => ({
  metadata: { name: extra.name ?? 'ledger-production', labels: labels(revision), generation: extra.generation ?? 2, annotations: extra.releaseOrder ? { 'cairn.dev/release-order': extra.releaseOrder } : {} },
  spec: { replicas, serviceName: 'ledger-production-headless', selector: {}, template: {}, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } },
  status: { replicas, observedGeneration: extra.observedGeneration ?? extra.generation ?? 2 },
});

const instance = (name: string, revision: number | null, ready = true, terminating = false): ObservedInstance => ({
  name,
  revision,
  phase: 'Running',
  ready,
  terminating,
  restarts: 0,
  node: 'node-1',
  ip: null,
  createdAt: now,
  containers: [],
  failure: null,
  lastWarning: null,
});

const pod = (name: string, revision: number | undefined, deleting = false): V1Pod => ({ metadata: { name, labels: labels(revision), ...(deleting ? { deletionTimestamp: now } : {}) } });

describe('stateless: observedRevisions from the Deployments', () => {
  const web = target('web');
  const table: [string, V1Deployment[], ObservedInstance[], ReturnType<typeof observedRevisions>['revisions']][] = [
    [
      'each labelled Deployment is a revision, with its pods counted',
      [deployment(2, 2), deployment(1, 3)],
      [instance('a', 1), instance('b', 1, false), instance('c', 1), instance('d', 2), instance('e', 2, false)],
      [
        { number: 1, desired: 3, current: 3, ready: 2, workload: 'web-production-r1' },
        { number: 2, desired: 2, current: 2, ready: 1, workload: 'web-production-r2' },
      ],
    ],
    ['a Deployment without a revision label is not one', [deployment(undefined, 4)], [], []],
    ['terminating pods do not count', [deployment(1, 1)], [instance('a', 1, true, true), instance('b', 1, false)], [{ number: 1, desired: 1, current: 1, ready: 0, workload: 'web-production-r1' }]],
    [
      'pods whose Deployment is gone still show, wanted by nobody',
      [deployment(2, 1)],
      [instance('a', 2), instance('b', 1), instance('c', null)],
      [
        { number: 1, desired: 0, current: 1, ready: 1, workload: '' },
        { number: 2, desired: 1, current: 1, ready: 1, workload: 'web-production-r2' },
      ],
    ],
  ];
  it.each(table)('%s', (_name, deployments, instances, revisions) => {
    expect(observedRevisions(workloadStrategy('STATELESS'), web, deployments, instances)).toEqual({ revisions, statefulSet: null });
  });
});

describe('stateful: observedRevisions from the StatefulSet and its pods', () => {
  const ledger = target('ledger', 'STATEFUL');
  const pods = (...revisions: (number | null)[]) => revisions.map((r, ord) => instance(`ledger-production-${ord}`, r));
  const table: [string, V1StatefulSet[], ObservedInstance[], [number, number, number][], Partial<ReturnType<typeof observedRevisions>['statefulSet']> | null][] = [
    ['all ordinals on the template: one revision', [statefulSet(1, 3, 0)], pods(1, 1, 1), [[1, 3, 3]], { name: 'ledger-production', revision: 1, replicas: 3, partition: 0, observed: true }],
    ['below the partition the pods keep their revision', [statefulSet(2, 3, 1)], pods(1, 2, 2), [[1, 1, 1], [2, 2, 2]], { revision: 2, partition: 1 }],
    ['a template no ordinal takes yet still shows, at zero', [statefulSet(2, 3, 3)], pods(1, 1, 1), [[1, 3, 3], [2, 0, 0]], { revision: 2, partition: 3 }],
    ['a missing pod below the partition counts for the template', [statefulSet(2, 3, 2)], [instance('ledger-production-1', 1), instance('ledger-production-2', 2)], [[1, 1, 1], [2, 2, 1]], { partition: 2 }],
    ['a change the controller has not seen yet', [statefulSet(2, 3, 3, { generation: 3, observedGeneration: 2 })], pods(1, 1, 1), [[1, 3, 3], [2, 0, 0]], { observed: false }],
    ['without the StatefulSet only its pods show', [], pods(1, 1), [[1, 0, 2]], null],
    ['another StatefulSet is not the environment’s', [statefulSet(5, 3, 0, { name: 'ledger-test' })], pods(1), [[1, 0, 1]], null],
  ];
  it.each(table)('%s', (_name, sets, instances, revisions, set) => {
    const observed = observedRevisions(workloadStrategy('STATEFUL'), ledger, sets, instances);
    expect(observed.revisions.map((r) => [r.number, r.desired, r.current])).toEqual(revisions);
    expect(observed.revisions.map((r) => r.workload)).toEqual(revisions.map(() => (set ? 'ledger-production' : '')));
    if (set === null) expect(observed.statefulSet).toBeNull();
    else expect(observed.statefulSet).toMatchObject(set);
  });
});

describe('workloadRevisions: what the workloads tell listRevisionsInCluster', () => {
  it('stateless: one per labelled Deployment, with its release order and whether it is being deleted', () => {
    expect(statelessStrategy.workloadRevisions(target('web'), [deployment(1, 0, { deleting: true }), deployment(2, 3, { releaseOrder: '42' }), deployment(undefined, 1)], [])).toEqual([
      { number: 1, workload: 'web-production-r1', replicas: 0, releaseOrderId: null, deleting: true },
      { number: 2, workload: 'web-production-r2', replicas: 3, releaseOrderId: '42', deleting: false },
    ]);
  });

  it('stateful: the template’s revision first, then each revision pods run (not those being deleted); the first of a number is the one listRevisionsInCluster keeps', () => {
    const sets = [statefulSet(2, 3, 1, { releaseOrder: '7' })];
    const pods = [pod('ledger-production-0', 1), pod('ledger-production-1', 2), pod('ledger-production-2', 2), pod('ledger-production-3', 3, true), pod('stray', undefined)];
    expect(statefulStrategy.workloadRevisions(target('ledger', 'STATEFUL'), sets, pods)).toEqual([
      { number: 2, workload: 'ledger-production', replicas: 3, releaseOrderId: '7', deleting: false },
      { number: 1, workload: 'ledger-production', replicas: 1, releaseOrderId: null, deleting: false },
      { number: 2, workload: 'ledger-production', replicas: 2, releaseOrderId: null, deleting: false },
    ]);
  });

  it('stateful: nothing without the environment’s StatefulSet', () => {
    expect(statefulStrategy.workloadRevisions(target('ledger', 'STATEFUL'), [statefulSet(1, 1, 0, { name: 'other' })], [pod('ledger-production-0', 1)])).toEqual([]);
  });
});
