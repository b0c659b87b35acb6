/**
 * The upstream spec "[sig-api-machinery] Garbage collector should not be blocked by dependency
 * circle" (issue: garbage collection deadlocked on an ownership cycle under foreground deletion):
 * pod1 → pod3 → pod2 → pod1, every reference blocking; deleting pod1 in the foreground removes all
 * three. The collector breaks the cycle as the real one does: an item whose owner waits for it and
 * whose dependent is itself deleting its dependents has its owner references made non-blocking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';

let cluster: SandboxCluster;
let core: CoreV1Api;
const ns = 'gc-cycle';
beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'gc-cycle', speed: 20 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(() => cluster?.stop());

const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const gcPod = (name: string): V1Pod => ({ metadata: { name }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.2' }] } });

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  // Polling the API as the upstream spec does (wait.Poll): there is no event to await over HTTP.
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('garbage collector: an ownership cycle under foreground deletion', () => {
  it('deleting one pod of the cycle removes all three', async () => {
    const [p1, p2, p3] = await Promise.all(['pod1', 'pod2', 'pod3'].map((n) => core.createNamespacedPod({ namespace: ns, body: gcPod(n) })));
    const ref = (p: V1Pod) => ({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: p.metadata!.name!, uid: p.metadata!.uid!, controller: true, blockOwnerDeletion: true }] } });
    await core.patchNamespacedPod({ name: 'pod1', namespace: ns, body: ref(p3!) }, strategic);
    await core.patchNamespacedPod({ name: 'pod2', namespace: ns, body: ref(p1!) }, strategic);
    await core.patchNamespacedPod({ name: 'pod3', namespace: ns, body: ref(p2!) }, strategic);

    await core.deleteNamespacedPod({ name: 'pod1', namespace: ns, propagationPolicy: 'Foreground', body: { preconditions: { uid: p1!.metadata!.uid } } });
    await until(async () => (await core.listNamespacedPod({ namespace: ns })).items.length === 0, 'every pod of the cycle to be deleted');
    expect((await core.listNamespacedPod({ namespace: ns })).items).toEqual([]);
  });
});
