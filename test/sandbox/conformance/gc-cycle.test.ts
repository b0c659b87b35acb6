/**
 * The upstream spec "[sig-api-machinery] Garbage collector should not be blocked by dependency
 * circle" (issue: garbage collection deadlocked on an ownership cycle under foreground deletion):
 * pod1 → pod3 → pod2 → pod1, every reference blocking; deleting pod1 in the foreground removes all
 * three. The collector breaks the cycle as the real one does: an item whose owner waits for it and
 * whose dependent is itself deleting its dependents has its owner references made non-blocking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { fastCluster, waitForPodGone, type TestCluster } from '../node/helpers.js';

let t: TestCluster;
beforeAll(async () => {
  t = await fastCluster(20);
});
afterAll(() => t?.stop());

const ns = 'default';
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const gcPod = (name: string): V1Pod => ({ metadata: { name }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.2' }] } });

describe('garbage collector: an ownership cycle under foreground deletion', () => {
  it('deleting one pod of the cycle removes all three', async () => {
    const [p1, p2, p3] = await Promise.all(['pod1', 'pod2', 'pod3'].map((n) => t.core.createNamespacedPod({ namespace: ns, body: gcPod(n) })));
    const ref = (p: V1Pod) => ({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: p.metadata!.name!, uid: p.metadata!.uid!, controller: true, blockOwnerDeletion: true }] } });
    await t.core.patchNamespacedPod({ name: 'pod1', namespace: ns, body: ref(p3!) }, strategic);
    await t.core.patchNamespacedPod({ name: 'pod2', namespace: ns, body: ref(p1!) }, strategic);
    await t.core.patchNamespacedPod({ name: 'pod3', namespace: ns, body: ref(p2!) }, strategic);

    await t.core.deleteNamespacedPod({ name: 'pod1', namespace: ns, propagationPolicy: 'Foreground', body: { preconditions: { uid: p1!.metadata!.uid } } });
    await Promise.all(['pod1', 'pod2', 'pod3'].map((n) => waitForPodGone(t, n, 20_000)));
    expect((await t.core.listNamespacedPod({ namespace: ns })).items).toEqual([]);
  });
});
