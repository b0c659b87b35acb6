import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import { planDeployment, type DeploymentEffect } from '../../../src/sandbox/controllers/deployment-rules.js';
import {
  deploymentSpec,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  podTemplateHash,
  proportionalSizes,
  resolveFenceposts,
} from '../../../src/sandbox/controllers/deployment-util.js';

const NOW = new Date('2026-01-01T00:10:00Z');

function deploy(opts: { replicas?: number; image?: string; surge?: number | string; unavailable?: number | string; recreate?: boolean; paused?: boolean; status?: object; annotations?: Record<string, string>; generation?: number; progressDeadlineSeconds?: number; revisionHistoryLimit?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: opts.generation ?? 1, annotations: opts.annotations ?? {} },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: opts.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: opts.surge ?? '25%', maxUnavailable: opts.unavailable ?? '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: opts.image ?? 'nginx:1' }] } },
      ...(opts.paused ? { paused: true } : {}),
      ...(opts.progressDeadlineSeconds ? { progressDeadlineSeconds: opts.progressDeadlineSeconds } : {}),
      ...(opts.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: opts.revisionHistoryLimit } : {}),
    },
    status: opts.status ?? {},
  };
}

/** The ReplicaSet the controller would have made for a deployment with this image. */
function rs(image: string, replicas: number, available: number, opts: { revision?: number; created?: string; desired?: number; max?: number; statusReplicas?: number } = {}): KubeObject {
  const d = deploy({ image });
  const hash = podTemplateHash(d);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      uid: `rs-${image}`,
      generation: 1,
      creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: {
        'deployment.kubernetes.io/revision': String(opts.revision ?? 1),
        ...(opts.desired !== undefined ? { 'deployment.kubernetes.io/desired-replicas': String(opts.desired) } : {}),
        ...(opts.max !== undefined ? { 'deployment.kubernetes.io/max-replicas': String(opts.max) } : {}),
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
      template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec: { containers: [{ name: 'app', image }] } },
    },
    status: { replicas: opts.statusReplicas ?? replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

const of = <T extends DeploymentEffect['type']>(effects: DeploymentEffect[], type: T) => effects.filter((e) => e.type === type) as Extract<DeploymentEffect, { type: T }>[];

describe('maxSurge / maxUnavailable (ResolveFenceposts)', () => {
  it.each([
    // surge, unavailable, replicas → surge, unavailable
    ['25%', '25%', 3, 1, 0],
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 10, 3, 2],
    [0, 0, 3, 0, 1],
    ['0%', '0%', 3, 0, 1],
    [1, 0, 3, 1, 0],
    [0, 1, 3, 0, 1],
    ['50%', '50%', 5, 3, 2],
    [2, '10%', 5, 2, 0],
  ] as const)('maxSurge %s maxUnavailable %s of %d → %d, %d', (s, u, n, ws, wu) => {
    expect(resolveFenceposts(s, u, n)).toEqual({ surge: ws, unavailable: wu });
  });
  it('maxUnavailable is capped at replicas and zero for Recreate or zero replicas', () => {
    expect(maxUnavailable(deploymentSpec(deploy({ replicas: 2, unavailable: 5 })))).toBe(2);
    expect(maxUnavailable(deploymentSpec(deploy({ replicas: 0 })))).toBe(0);
    expect(maxUnavailable(deploymentSpec(deploy({ recreate: true })))).toBe(0);
    expect(maxSurge(deploymentSpec(deploy({ recreate: true })))).toBe(0);
  });
});

describe('newRSNewReplicas', () => {
  it.each([
    // replicas, surge, old RS size, new RS size → new size
    [3, 1, 3, 0, 1],
    [3, 1, 2, 1, 2],
    [3, 2, 3, 0, 2],
    [3, 0, 3, 0, 0],
    [3, 1, 0, 3, 3],
    [10, 3, 10, 0, 3],
    [3, 5, 3, 0, 3], // never above replicas
  ])('replicas %d surge %d old %d new %d → %d', (replicas, surge, old, cur, want) => {
    const d = deploy({ replicas, surge, unavailable: 0 });
    const oldRS = rs('nginx:0', old, old);
    const newRS = rs('nginx:1', cur, 0);
    expect(newRSNewReplicas(deploymentSpec(d), [oldRS, newRS], newRS)).toBe(want);
  });
});

describe('planDeployment: a new deployment', () => {
  it('creates the ReplicaSet at full size, with hash, revision and replica annotations, and an event', () => {
    const d = deploy();
    const plan = planDeployment({ deployment: d, replicaSets: [], pods: [], now: NOW });
    const [create] = of(plan.effects, 'createReplicaSet');
    const hash = podTemplateHash(d);
    expect(create!.replicaSet.metadata.name).toBe(`web-${hash}`);
    expect(create!.replicaSet.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(create!.replicaSet.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(create!.replicaSet.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    const spec = create!.replicaSet.spec as any;
    expect(spec.replicas).toBe(3);
    expect(spec.selector).toEqual({ matchLabels: { app: 'web', 'pod-template-hash': hash } });
    expect(spec.template.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(of(plan.effects, 'annotateDeployment')).toEqual([{ type: 'annotateDeployment', annotations: { 'deployment.kubernetes.io/revision': '1' } }]);
    expect(of(plan.effects, 'event').map((e) => e.message)).toEqual([`Scaled up replica set web-${hash} to 3`]);
    const [status] = of(plan.effects, 'updateStatus');
    expect(status!.status.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Progressing', 'True', 'NewReplicaSetCreated'],
      ['Available', 'False', 'MinimumReplicasUnavailable'],
    ]);
    expect(status!.status.conditions![0]!.message).toBe(`Created new replica set "web-${hash}"`);
  });

  it('reports NewReplicaSetAvailable and MinimumReplicasAvailable once everything is available', () => {
    const current = rs('nginx:1', 3, 3);
    const d = deploy({ status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: 'x', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
    const plan = planDeployment({ deployment: d, replicaSets: [current], pods: [], now: NOW });
    const [status] = of(plan.effects, 'updateStatus');
    expect(status!.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(status!.status).not.toHaveProperty('unavailableReplicas'); // omitempty
    const byType = Object.fromEntries(status!.status.conditions!.map((c) => [c.type, c]));
    expect(byType.Available).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(byType.Progressing).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${current.metadata.name}" has successfully progressed.` });
    expect(byType.Progressing!.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
});

describe('planDeployment: rolling update steps', () => {
  type Step = { name: string; surge: number | string; unavailable: number | string; replicas: number; old: [number, number]; cur?: [number, number]; want: { newSize?: number; oldSize?: number } };
  const steps: Step[] = [
    { name: 'surge 1 / unavailable 0: new RS starts at 1, old stays', surge: 1, unavailable: 0, replicas: 3, old: [3, 3], want: { newSize: 1, oldSize: 3 } },
    { name: 'surge 1 / unavailable 0: old waits for the new pod to be available', surge: 1, unavailable: 0, replicas: 3, old: [3, 3], cur: [1, 0], want: { oldSize: 3 } },
    { name: 'surge 1 / unavailable 0: once available, old goes down by 1', surge: 1, unavailable: 0, replicas: 3, old: [3, 3], cur: [1, 1], want: { oldSize: 2 } },
    { name: 'surge 0 / unavailable 1: no new RS pods first, old down by 1', surge: 0, unavailable: 1, replicas: 3, old: [3, 3], want: { newSize: 0, oldSize: 2 } },
    { name: 'surge 0 / unavailable 1: new grows into the space', surge: 0, unavailable: 1, replicas: 3, old: [2, 2], cur: [0, 0], want: { newSize: 1 } },
    { name: '25%/25% of 4: new at 1 and old down to 3 in the same pass', surge: '25%', unavailable: '25%', replicas: 4, old: [4, 4], want: { newSize: 1, oldSize: 3 } },
    // allPods 4 - minAvailable 3 - newUnavailable 0 = 1 may go: an unavailable old pod, not an available one.
    { name: 'unhealthy old pods are removed first', surge: 1, unavailable: 0, replicas: 3, old: [3, 1], cur: [1, 1], want: { oldSize: 2 } },
  ];
  it.each(steps)('$name', ({ surge, unavailable, replicas, old, cur, want }) => {
    const oldRS = rs('nginx:0', old[0], old[1], { revision: 1, desired: replicas, max: replicas + (typeof surge === 'number' ? surge : 1) });
    const d = deploy({ replicas, surge, unavailable, image: 'nginx:1', annotations: { 'deployment.kubernetes.io/revision': '1' } });
    const sets = [oldRS];
    if (cur) sets.push(rs('nginx:1', cur[0], cur[1], { revision: 2, created: '2026-01-01T00:05:00Z', desired: replicas, max: replicas + (typeof surge === 'number' ? surge : 1) }));
    const plan = planDeployment({ deployment: d, replicaSets: sets, pods: [], now: NOW });
    const created = of(plan.effects, 'createReplicaSet')[0];
    const updates = of(plan.effects, 'updateReplicaSet');
    const newName = created?.replicaSet.metadata.name ?? sets[1]?.metadata.name;
    const newSize = created ? (created.replicaSet.spec as any).replicas : updates.find((u) => u.name === newName && u.replicas !== undefined)?.replicas ?? cur?.[0];
    const oldSize = updates.find((u) => u.name === oldRS.metadata.name && u.replicas !== undefined)?.replicas ?? old[0];
    if (want.newSize !== undefined) expect(newSize).toBe(want.newSize);
    if (want.oldSize !== undefined) expect(oldSize).toBe(want.oldSize);
    if (created) {
      expect(created.replicaSet.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('2');
      expect(of(plan.effects, 'annotateDeployment')[0]!.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2' });
    }
  });

  it('scale-down events read "Scaled down replica set x to n from m"', () => {
    const oldRS = rs('nginx:0', 3, 3, { desired: 3, max: 4 });
    const newRS = rs('nginx:1', 1, 1, { revision: 2, created: '2026-01-01T00:05:00Z', desired: 3, max: 4 });
    const plan = planDeployment({ deployment: deploy({ surge: 1, unavailable: 0 }), replicaSets: [oldRS, newRS], pods: [], now: NOW });
    expect(of(plan.effects, 'event').map((e) => [e.reason, e.message])).toEqual([['ScalingReplicaSet', `Scaled down replica set ${oldRS.metadata.name} to 2 from 3`]]);
  });

  it('reports ReplicaSetUpdated while progressing and ProgressDeadlineExceeded after the deadline', () => {
    const oldRS = rs('nginx:0', 3, 3, { desired: 3, max: 4 });
    const newRS = rs('nginx:1', 1, 0, { revision: 2, created: '2026-01-01T00:05:00Z', desired: 3, max: 4 });
    const progressing = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' };
    const stalled = deploy({ surge: 1, unavailable: 0, progressDeadlineSeconds: 60, status: { observedGeneration: 1, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, conditions: [progressing] } });
    const plan = planDeployment({ deployment: stalled, replicaSets: [oldRS, newRS], pods: [], now: NOW });
    const cond = of(plan.effects, 'updateStatus')[0]!.status.conditions!.find((c) => c.type === 'Progressing');
    expect(cond).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` });

    const before = deploy({ surge: 1, unavailable: 0, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 0, readyReplicas: 3, availableReplicas: 3, conditions: [progressing] } });
    const plan2 = planDeployment({ deployment: before, replicaSets: [oldRS, newRS], pods: [], now: NOW });
    const cond2 = of(plan2.effects, 'updateStatus')[0]!.status.conditions!.find((c) => c.type === 'Progressing');
    expect(cond2).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newRS.metadata.name}" is progressing.` });
    expect(plan2.requeueAfterMs).toBeGreaterThan(0);
  });

  it('finds an existing new ReplicaSet (FoundNewReplicaSet) and rolls back by bumping its revision', () => {
    const v1 = rs('nginx:1', 0, 0, { revision: 1, desired: 3, max: 4 });
    const v2 = rs('nginx:2', 3, 3, { revision: 2, created: '2026-01-01T00:05:00Z', desired: 3, max: 4 });
    const status = { observedGeneration: 1, replicas: 3, updatedReplicas: 0, readyReplicas: 3, availableReplicas: 3 };
    const plan = planDeployment({ deployment: deploy({ image: 'nginx:1', status, annotations: { 'deployment.kubernetes.io/revision': '2' } }), replicaSets: [v1, v2], pods: [], now: NOW });
    expect(of(plan.effects, 'updateReplicaSet').find((u) => u.name === v1.metadata.name && u.replicas !== undefined)?.replicas).toBe(1);
    const meta = of(plan.effects, 'updateReplicaSet').find((u) => u.name === v1.metadata.name && u.annotations['deployment.kubernetes.io/revision']);
    expect(meta!.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(of(plan.effects, 'annotateDeployment')[0]!.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3' });
    expect(of(plan.effects, 'createReplicaSet')).toHaveLength(0);
    expect(of(plan.effects, 'updateStatus')[0]!.status.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ reason: 'FoundNewReplicaSet' });
  });
});

describe('planDeployment: Recreate', () => {
  it('scales every old ReplicaSet to zero before creating the new one', () => {
    const oldRS = rs('nginx:0', 3, 3);
    const plan = planDeployment({ deployment: deploy({ recreate: true }), replicaSets: [oldRS], pods: [], now: NOW });
    expect(of(plan.effects, 'createReplicaSet')).toHaveLength(0);
    expect(of(plan.effects, 'updateReplicaSet')[0]).toMatchObject({ name: oldRS.metadata.name, replicas: 0 });
  });
  it('waits while old pods still run', () => {
    const oldRS = rs('nginx:0', 0, 0, { statusReplicas: 0 });
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: oldRS.metadata.name!, uid: oldRS.metadata.uid!, controller: true }] }, status: { phase: 'Running' } };
    const waiting = planDeployment({ deployment: deploy({ recreate: true }), replicaSets: [oldRS], pods: [pod], now: NOW });
    expect(of(waiting.effects, 'createReplicaSet')).toHaveLength(0);
    const go = planDeployment({ deployment: deploy({ recreate: true }), replicaSets: [oldRS], pods: [], now: NOW });
    expect((of(go.effects, 'createReplicaSet')[0]!.replicaSet.spec as any).replicas).toBe(3);
  });
});

describe('planDeployment: scaling, pausing, history', () => {
  it('scales the only active ReplicaSet to the new size', () => {
    const current = rs('nginx:1', 3, 3, { desired: 3, max: 4 });
    const plan = planDeployment({ deployment: deploy({ replicas: 5 }), replicaSets: [current], pods: [], now: NOW });
    expect(of(plan.effects, 'updateReplicaSet')[0]).toMatchObject({ replicas: 5, annotations: { 'deployment.kubernetes.io/desired-replicas': '5', 'deployment.kubernetes.io/max-replicas': '7' } });
    expect(of(plan.effects, 'event')[0]!.message).toBe(`Scaled up replica set ${current.metadata.name} to 5 from 3`);
  });

  it('scales proportionally in the middle of a rollout', () => {
    // 10 replicas, surge 3 → max 13: old 8, new 5 (sum 13). Scale to 20 (max 23): +10 split 8:5.
    const oldRS = rs('nginx:0', 8, 8, { desired: 10, max: 13 });
    const newRS = rs('nginx:1', 5, 0, { revision: 2, created: '2026-01-01T00:05:00Z', desired: 10, max: 13 });
    const spec = deploymentSpec(deploy({ replicas: 20, surge: 3, unavailable: 2 }));
    const sizes = proportionalSizes(spec, [oldRS, newRS], 13);
    expect([...sizes.values()].reduce((a, b) => a + b, 0)).toBe(23);
    expect(sizes.get(oldRS.metadata.name!)).toBe(14);
    expect(sizes.get(newRS.metadata.name!)).toBe(9);
  });

  it('a paused deployment gets no new ReplicaSet but a DeploymentPaused condition', () => {
    const oldRS = rs('nginx:0', 3, 3, { desired: 3, max: 4 });
    const plan = planDeployment({ deployment: deploy({ paused: true }), replicaSets: [oldRS], pods: [], now: NOW });
    expect(of(plan.effects, 'createReplicaSet')).toHaveLength(0);
    expect(of(plan.effects, 'updateStatus')[0]!.status.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
  });

  it('deletes the oldest empty ReplicaSets beyond revisionHistoryLimit once complete', () => {
    const olds = [1, 2, 3].map((r) => rs(`nginx:${r}`, 0, 0, { revision: r }));
    const current = rs('nginx:9', 3, 3, { revision: 4, desired: 3, max: 4 });
    const d = deploy({ image: 'nginx:9', revisionHistoryLimit: 1, annotations: { 'deployment.kubernetes.io/revision': '4' }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 } });
    const plan = planDeployment({ deployment: d, replicaSets: [...olds, current], pods: [], now: NOW });
    expect(of(plan.effects, 'deleteReplicaSet').map((e) => e.name)).toEqual([olds[0]!.metadata.name, olds[1]!.metadata.name]);
  });
});

describe('planDeployment: ReplicaSet failures', () => {
  it('moves the new ReplicaSet’s ReplicaFailure condition onto the deployment, and drops it when gone', () => {
    const failing = rs('nginx:1', 3, 0, { desired: 3, max: 4 });
    (failing.status as any).conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: '2026-01-01T00:09:00Z' }];
    const plan = planDeployment({ deployment: deploy(), replicaSets: [failing], pods: [], now: NOW });
    const conds = of(plan.effects, 'updateStatus')[0]!.status.conditions!;
    expect(conds.find((c) => c.type === 'ReplicaFailure')).toMatchObject({ status: 'True', reason: 'FailedCreate', message: 'quota' });
    const healed = planDeployment({ deployment: deploy({ status: { conditions: conds } }), replicaSets: [rs('nginx:1', 3, 3, { desired: 3, max: 4 })], pods: [], now: NOW });
    expect(of(healed.effects, 'updateStatus')[0]!.status.conditions!.some((c) => c.type === 'ReplicaFailure')).toBe(false);
  });
});
