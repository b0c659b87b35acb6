/**
 * On a sandbox cluster: the strategies' pure readings over the listed objects tell what
 * observeEnvironment and listRevisionsInCluster tell, so a reader fed by informer caches can take
 * them as they are.
 */
import { AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentLabelSelector } from '../../src/kube/render/index.js';
import { observedRevisions, workloadStrategy, type WorkloadObject } from '../../src/kube/strategy/index.js';
import type { EnvironmentTarget, Workloads } from '../../src/kube/workloads.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { createEnvironmentReads, type EnvironmentReads } from '../../src/live/environment-reads.js';
import { createInformers, type Informers } from '../../src/live/informers.js';
import { nginxSettings, observeUntil, readyOf, target, workloadsFor } from './workloads-helpers.js';

let cluster: SandboxCluster;
let kube: Workloads;
let informers: Informers;
let reads: EnvironmentReads;
let apps: AppsV1Api;
let core: CoreV1Api;

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-strategy', speed: 100 });
  const w = workloadsFor(cluster.kubeconfig);
  kube = w.kube;
  apps = w.kc.makeApiClient(AppsV1Api);
  core = w.kc.makeApiClient(CoreV1Api);
  informers = createInformers(() => w.kc);
  reads = createEnvironmentReads(informers, () => w.kc);
});
afterAll(async () => {
  informers?.stop();
  await cluster?.stop();
});

async function listed(t: EnvironmentTarget): Promise<{ workloads: WorkloadObject[]; pods: V1Pod[] }> {
  const q = { namespace: t.namespace, labelSelector: environmentLabelSelector(t) };
  const workloads = workloadStrategy(t.appType).informerKind === 'deployments' ? (await apps.listNamespacedDeployment(q)).items : (await apps.listNamespacedStatefulSet(q)).items;
  return { workloads, pods: (await core.listNamespacedPod(q)).items };
}

async function expectSameReading(t: EnvironmentTarget) {
  const observed = await kube.observeEnvironment(t);
  const inCluster = await kube.listRevisionsInCluster(t);
  if (!observed.ok || !inCluster.ok) throw new Error('the cluster could not be read');
  const observation = observed.value;
  const { workloads, pods } = await listed(t);
  const strategy = workloadStrategy(t.appType);
  expect(observedRevisions(strategy, t, workloads, observation.instances)).toEqual({ revisions: observation.revisions, statefulSet: observation.statefulSet });
  const fromWorkloads = new Map<number, { workload: string; replicas: number }>();
  for (const r of strategy.workloadRevisions(t, workloads, pods)) if (!fromWorkloads.has(r.number)) fromWorkloads.set(r.number, { workload: r.workload, replicas: r.replicas });
  expect(inCluster.value.filter((r) => r.workload !== '').map((r) => [r.number, r.workload, r.replicas])).toEqual(
    [...fromWorkloads].sort(([a], [b]) => a - b).map(([n, r]) => [n, r.workload, r.replicas]),
  );
  // The engine prunes from the informer caches: the same revisions as the list, candidates included, no list sent.
  const candidates = [1, 2, 3, 7];
  const listedWithCandidates = await kube.listRevisionsInCluster(t, candidates);
  await reads.observeEnvironment(t);
  const lists = () => cluster.counters.count({ verb: 'list', namespace: t.namespace });
  const before = lists();
  expect(await reads.listRevisionsInCluster(t, candidates)).toEqual(listedWithCandidates);
  expect(lists()).toBe(before);
  return observation;
}

describe('the pure readings match the cluster calls', () => {
  it('stateless: two revisions mid-rollout', async () => {
    const t = target('parity-web');
    const settings = nginxSettings();
    expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
    expect((await kube.ensureRevision(t, { number: 1, image: 'nginx:1.25', settings }, 2)).ok).toBe(true);
    expect((await kube.ensureRevision(t, { number: 2, image: 'nginx:1.26', settings, releaseOrderId: 9 }, 1)).ok).toBe(true);
    await observeUntil(kube, t, (o) => readyOf(o, 1) === 2 && readyOf(o, 2) === 1);
    const o = await expectSameReading(t);
    expect(o.revisions.map((r) => [r.number, r.desired])).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it('stateful: a partition halfway down', async () => {
    const t = target('parity-ledger', 'STATEFUL');
    const settings = nginxSettings();
    expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
    expect((await kube.ensureRevision(t, { number: 1, image: 'nginx:1.25', settings }, 3)).ok).toBe(true);
    await observeUntil(kube, t, (o) => readyOf(o, 1) === 3);
    expect((await kube.ensureRevision(t, { number: 2, image: 'nginx:1.26', settings }, 3)).ok).toBe(true);
    expect((await kube.setPartition(t, 2)).ok).toBe(true);
    await observeUntil(kube, t, (o) => readyOf(o, 2) === 1 && readyOf(o, 1) === 2 && o.instances.every((i) => !i.terminating));
    const o = await expectSameReading(t);
    expect(o.statefulSet).toMatchObject({ revision: 2, partition: 2, replicas: 3 });
  });
});
