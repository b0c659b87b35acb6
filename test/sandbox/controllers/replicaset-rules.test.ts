import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import { compareForDeletion, planReplicaSet, podFromTemplate, podsToDelete, replicaSetStatus } from '../../../src/sandbox/controllers/replicaset-rules.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; restarts?: number; created?: string; cost?: number; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      labels: o.labels ?? { app: 'web' },
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready === undefined ? [] : [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:00Z' }],
      containerStatuses: [{ name: 'app', restartCount: o.restarts ?? 0 }],
    },
  };
}

const rs = (replicas: number, minReadySeconds = 0): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-uid', generation: 4 },
  spec: { replicas, minReadySeconds, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
});

describe('deletion ranking (ActivePodsWithRanks)', () => {
  it.each([
    ['unscheduled before scheduled', pod('a', { phase: 'Pending' }), pod('b', { node: 'n1', phase: 'Pending' })],
    ['Pending before Running', pod('a', { node: 'n1', phase: 'Pending' }), pod('b', { node: 'n1', ready: true })],
    ['Unknown before Running', pod('a', { node: 'n1', phase: 'Unknown' }), pod('b', { node: 'n1', ready: true })],
    ['not ready before ready', pod('a', { node: 'n1', ready: false }), pod('b', { node: 'n1', ready: true })],
    ['lower deletion cost first', pod('a', { node: 'n1', ready: true, cost: -5 }), pod('b', { node: 'n1', ready: true, cost: 10 })],
    ['ready for less time first', pod('a', { node: 'n1', ready: true, readySince: '2026-01-01T11:59:00Z' }), pod('b', { node: 'n1', ready: true, readySince: '2026-01-01T06:00:00Z' })],
    ['more restarts first', pod('a', { node: 'n1', ready: true, restarts: 5 }), pod('b', { node: 'n1', ready: true, restarts: 0 })],
    ['newer first', pod('a', { node: 'n1', ready: true, created: '2026-01-01T11:00:00Z' }), pod('b', { node: 'n1', ready: true, created: '2026-01-01T01:00:00Z' })],
  ])('%s', (_, first, second) => {
    expect(compareForDeletion(first, second, 0, 0, NOW)).toBeLessThan(0);
    expect(compareForDeletion(second, first, 0, 0, NOW)).toBeGreaterThan(0);
  });

  it('prefers pods doubled up on a node', () => {
    const a = pod('a', { node: 'n1', ready: true });
    const b = pod('b', { node: 'n1', ready: true });
    const c = pod('c', { node: 'n2', ready: true });
    expect(podsToDelete([c, a, b], [a, b, c], 1, NOW)[0]!.metadata.name).not.toBe('c');
  });

  it('picks the right pods from a mixed set', () => {
    const pods = [
      pod('ready-old', { node: 'n1', ready: true, created: '2025-12-01T00:00:00Z', readySince: '2025-12-01T00:00:00Z' }),
      pod('pending', { phase: 'Pending' }),
      pod('not-ready', { node: 'n2', ready: false }),
      pod('ready-new', { node: 'n3', ready: true, readySince: '2026-01-01T11:59:59Z' }),
    ];
    expect(podsToDelete(pods, pods, 3, NOW).map((p) => p.metadata.name)).toEqual(['pending', 'not-ready', 'ready-new']);
  });
});

describe('planReplicaSet', () => {
  it.each([
    [3, 0, 3, 0],
    [3, 2, 1, 0],
    [3, 3, 0, 0],
    [1, 3, 0, 2],
    [0, 2, 0, 2],
  ])('replicas %d with %d pods → create %d, delete %d', (replicas, have, create, del) => {
    const pods = Array.from({ length: have }, (_, i) => pod(`p${i}`, { node: 'n', ready: true }));
    const plan = planReplicaSet(rs(replicas), pods, pods, NOW);
    expect(plan.create).toBe(create);
    expect(plan.delete).toHaveLength(del);
  });
});

describe('podFromTemplate', () => {
  it('makes a pod named after the ReplicaSet, owned by it', () => {
    const p = podFromTemplate(rs(1));
    expect(p.metadata).toEqual({
      generateName: 'web-abc-',
      namespace: 'default',
      labels: { app: 'web' },
      annotations: { a: 'b' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(p.spec).toEqual({ containers: [{ name: 'app', image: 'nginx' }] });
  });
});

describe('replicaSetStatus', () => {
  it('counts replicas, fully labeled, ready and available (minReadySeconds)', () => {
    const pods = [
      pod('a', { node: 'n', ready: true, readySince: '2026-01-01T11:00:00Z' }),
      pod('b', { node: 'n', ready: true, readySince: '2026-01-01T11:59:55Z' }),
      pod('c', { node: 'n', ready: false }),
      pod('d', { node: 'n', ready: true, labels: { other: 'x' }, readySince: '2026-01-01T11:00:00Z' }),
    ];
    expect(replicaSetStatus(rs(4, 30), pods, NOW)).toEqual({ replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 4 });
    expect(replicaSetStatus(rs(4, 0), pods, NOW).availableReplicas).toBe(3);
  });
  it('records a failure to create pods as ReplicaFailure/FailedCreate, and clears it once pods can be made', () => {
    const failed = replicaSetStatus(rs(2), [], NOW, 1, 'pods "web-abc-" is forbidden: exceeded quota');
    expect(failed.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2026-01-01T12:00:00Z', reason: 'FailedCreate', message: 'pods "web-abc-" is forbidden: exceeded quota' }]);
    const again = replicaSetStatus({ ...rs(2), status: failed }, [], NOW);
    expect(again.conditions).toBeUndefined();
  });
  it('omits zero counters except replicas, as the API server serialises omitempty fields', () => {
    expect(replicaSetStatus(rs(0), [], NOW)).toEqual({ replicas: 0, observedGeneration: 4 });
  });
});
