import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import {
  newPod,
  ordinalOf,
  planStatefulSetPods,
  resolveRevisions,
  revisionsToDelete,
  statefulSetStatus,
  templateOf,
  type Revisions,
} from '../../../src/sandbox/controllers/statefulset-rules.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function sts(o: { replicas?: number; image?: string; policy?: 'Parallel'; partition?: number; onDelete?: boolean; status?: object } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', uid: 'sts-uid', generation: 2 },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      podManagementPolicy: o.policy ?? 'OrderedReady',
      updateStrategy: o.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: o.image ?? 'pg:1' }] } },
    },
    status: o.status ?? {},
  };
}

/** Revisions for an update from pg:1 (current) to pg:2 (update), or a single one. */
function revs(set: KubeObject, currentImage = 'pg:1'): Revisions {
  const r1 = resolveRevisions(sts({ image: currentImage }), []).update;
  const all = resolveRevisions(set, [r1]);
  return { current: r1, update: all.update };
}

type State = 'ready' | 'pending' | 'running' | 'terminating' | 'failed';
function pod(set: KubeObject, r: Revisions, ord: number, state: State, rev: 'current' | 'update' = 'current'): KubeObject {
  const revision = rev === 'current' ? r.current : r.update;
  const p = newPod(set, templateOf(revision), revision.metadata.name!, ord);
  p.metadata.uid = `uid-${ord}`;
  p.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  if (state === 'terminating') p.metadata.deletionTimestamp = '2026-01-01T12:00:30Z';
  const phase = { ready: 'Running', running: 'Running', pending: 'Pending', terminating: 'Running', failed: 'Failed' }[state];
  p.status = { phase, conditions: [{ type: 'Ready', status: state === 'ready' || state === 'terminating' ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
  return p;
}

const summary = (plan: ReturnType<typeof planStatefulSetPods>) => plan.actions.map((a) => `${a.type} ${a.pod.metadata.name}`);

describe('pod identity', () => {
  it('names, labels, hostname and subdomain', () => {
    const set = sts();
    const r = revs(set);
    const p = newPod(set, templateOf(r.update), r.update.metadata.name!, 2);
    expect(p.metadata.name).toBe('db-2');
    expect(p.metadata.labels).toEqual({
      app: 'db',
      'statefulset.kubernetes.io/pod-name': 'db-2',
      'apps.kubernetes.io/pod-index': '2',
      'controller-revision-hash': r.update.metadata.name,
    });
    expect(p.spec).toMatchObject({ hostname: 'db-2', subdomain: 'db' });
    expect(p.metadata.ownerReferences![0]).toMatchObject({ kind: 'StatefulSet', name: 'db', controller: true, blockOwnerDeletion: true });
    expect(ordinalOf(set, p)).toBe(2);
    expect(ordinalOf(set, { ...p, metadata: { name: 'db-x' } })).toBe(-1);
    expect(ordinalOf(set, { ...p, metadata: { name: 'dbx-1' } })).toBe(-1);
  });
});

describe('volumeClaimTemplates', () => {
  it('give each pod a volume bound to the claim <template>-<set>-<ordinal>', () => {
    const set = sts();
    (set.spec as any).volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }];
    const r = revs(set);
    const p = newPod(set, templateOf(r.update), r.update.metadata.name!, 1);
    expect((p.spec as any).volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } }]);
  });
});

describe('ControllerRevisions', () => {
  it('creates revision 1, reuses an unchanged one, creates 2 on change and bumps on rollback', () => {
    const a = resolveRevisions(sts(), []);
    expect(a.op?.type).toBe('create');
    expect(a.update.revision).toBe(1);
    expect(a.update.metadata.name).toMatch(/^db-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(a.update.metadata.labels!['controller.kubernetes.io/hash']).toBe(a.update.metadata.name!.slice(3));
    expect(a.current).toBe(a.update);
    const same = resolveRevisions(sts({ status: { currentRevision: a.update.metadata.name } }), [a.update]);
    expect(same.op).toBeUndefined();
    expect(same.update.metadata.name).toBe(a.update.metadata.name);
    const b = resolveRevisions(sts({ image: 'pg:2', status: { currentRevision: a.update.metadata.name } }), [a.update]);
    expect(b.op?.type).toBe('create');
    expect(b.update.revision).toBe(2);
    expect(b.current.metadata.name).toBe(a.update.metadata.name);
    const back = resolveRevisions(sts({ image: 'pg:1', status: { currentRevision: b.update.metadata.name } }), [a.update, b.update]);
    expect(back.op).toEqual({ type: 'bump', name: a.update.metadata.name, revision: 3 });
  });

  it('keeps live revisions and trims history to revisionHistoryLimit', () => {
    const set = { ...sts(), spec: { ...(sts().spec as object), revisionHistoryLimit: 1 } };
    const list = [1, 2, 3, 4].map((n) => ({ ...resolveRevisions(sts({ image: `pg:${n}` }), []).update, revision: n }));
    const doomed = revisionsToDelete(set, list, [], list[3]!, list[3]!);
    expect(doomed.map((r) => r.revision)).toEqual([1, 2]);
  });
});

describe('planStatefulSetPods', () => {
  it('OrderedReady creates one pod at a time, waiting for Running and Ready', () => {
    const set = sts();
    const r = revs(set, 'pg:1');
    expect(summary(planStatefulSetPods(set, r, [], NOW))).toEqual(['create db-0']);
    expect(summary(planStatefulSetPods(set, r, [pod(set, r, 0, 'pending')], NOW))).toEqual([]);
    expect(summary(planStatefulSetPods(set, r, [pod(set, r, 0, 'running')], NOW))).toEqual([]);
    expect(summary(planStatefulSetPods(set, r, [pod(set, r, 0, 'ready')], NOW))).toEqual(['create db-1']);
  });

  it('Parallel creates and deletes all at once', () => {
    const set = sts({ policy: 'Parallel', replicas: 3 });
    const r = revs(set, 'pg:1');
    expect(summary(planStatefulSetPods(set, r, [], NOW))).toEqual(['create db-0', 'create db-1', 'create db-2']);
    const down = sts({ policy: 'Parallel', replicas: 1 });
    const pods = [0, 1, 2].map((i) => pod(down, r, i, 'pending'));
    expect(summary(planStatefulSetPods(down, r, pods, NOW))).toEqual(['delete db-2', 'delete db-1']);
  });

  it('OrderedReady scales down from the highest ordinal, one at a time', () => {
    const set = sts({ replicas: 1 });
    const r = revs(set, 'pg:1');
    const pods = [0, 1, 2].map((i) => pod(set, r, i, 'ready'));
    expect(summary(planStatefulSetPods(set, r, pods, NOW))).toEqual(['delete db-2']);
    pods[2] = pod(set, r, 2, 'terminating');
    expect(summary(planStatefulSetPods(set, r, pods, NOW))).toEqual([]);
  });

  it('replaces a failed pod', () => {
    const set = sts({ policy: 'Parallel', replicas: 2 });
    const r = revs(set, 'pg:1');
    expect(summary(planStatefulSetPods(set, r, [pod(set, r, 0, 'failed'), pod(set, r, 1, 'ready')], NOW))).toEqual(['delete db-0', 'create db-0']);
  });

  it.each([
    // partition, pods on the update revision already → next pod to delete
    [0, [], 'delete db-4'],
    [0, [4], 'delete db-3'],
    [0, [4, 3, 2, 1], 'delete db-0'],
    [0, [4, 3, 2, 1, 0], undefined],
    [2, [], 'delete db-4'],
    [2, [4, 3], 'delete db-2'],
    [2, [4, 3, 2], undefined],
    [5, [], undefined],
  ] as const)('RollingUpdate with partition %d, updated %j → %s', (partition, updated, want) => {
    const set = sts({ image: 'pg:2', replicas: 5, partition });
    const r = revs(set, 'pg:1');
    const pods = [0, 1, 2, 3, 4].map((i) => pod(set, r, i, 'ready', (updated as readonly number[]).includes(i) ? 'update' : 'current'));
    expect(summary(planStatefulSetPods(set, r, pods, NOW))).toEqual(want ? [want] : []);
  });

  it('waits for an updated pod to be Ready before the next one', () => {
    const set = sts({ image: 'pg:2', replicas: 3 });
    const r = revs(set, 'pg:1');
    const pods = [pod(set, r, 0, 'ready'), pod(set, r, 1, 'ready'), pod(set, r, 2, 'running', 'update')];
    expect(summary(planStatefulSetPods({ ...set, spec: { ...(set.spec as object), podManagementPolicy: 'Parallel' } }, r, pods, NOW))).toEqual([]);
  });

  it('recreates pods below the partition from the current revision and at/above it from the update revision', () => {
    const set = sts({ image: 'pg:2', replicas: 3, partition: 1, policy: 'Parallel' });
    const r = revs(set, 'pg:1');
    const plan = planStatefulSetPods(set, r, [], NOW);
    expect(plan.actions.map((a) => a.pod.metadata.labels!['controller-revision-hash'])).toEqual([r.current.metadata.name, r.update.metadata.name, r.update.metadata.name]);
    expect(plan.actions.map((a) => (a.pod.spec as any).containers[0].image)).toEqual(['pg:1', 'pg:2', 'pg:2']);
  });

  it('OnDelete never deletes for an update', () => {
    const set = sts({ image: 'pg:2', replicas: 2, onDelete: true });
    const r = revs(set, 'pg:1');
    expect(summary(planStatefulSetPods(set, r, [pod(set, r, 0, 'ready'), pod(set, r, 1, 'ready')], NOW))).toEqual([]);
  });
});

describe('statefulSetStatus', () => {
  it('counts current/updated replicas and completes the rolling update', () => {
    const set = sts({ image: 'pg:2', replicas: 3, partition: 1 });
    const r = revs(set, 'pg:1');
    const mid = statefulSetStatus(set, r, [pod(set, r, 0, 'ready'), pod(set, r, 1, 'ready', 'update'), pod(set, r, 2, 'running', 'update')], NOW);
    expect(mid).toMatchObject({ observedGeneration: 2, replicas: 3, readyReplicas: 2, availableReplicas: 2, currentReplicas: 1, updatedReplicas: 2, currentRevision: r.current.metadata.name, updateRevision: r.update.metadata.name });
    const done = statefulSetStatus(set, r, [0, 1, 2].map((i) => pod(set, r, i, 'ready', 'update')), NOW);
    expect(done).toMatchObject({ currentReplicas: 3, updatedReplicas: 3, currentRevision: r.update.metadata.name });
  });
});
