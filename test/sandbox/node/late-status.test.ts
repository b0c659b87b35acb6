/**
 * A pod's last status is written before the kubelet deletes it, never after: a late write would
 * land on a new pod of the same name (a StatefulSet's), and a real API server does not refuse it on
 * pods/status (seen on kube-apiserver v1.20: the new pod was removed).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fastCluster, status, waitForPod, waitForPodGone, type TestCluster } from './helpers.js';

let t: TestCluster;
const logged: string[] = [];
beforeAll(async () => {
  t = await fastCluster(100, (msg) => logged.push(msg));
});
afterAll(async () => {
  await t?.stop();
});

const pod = (name: string) => ({ metadata: { name }, spec: { nodeName: t.node, containers: [{ name: 'app', image: 'cairn/demo:v1' }] } });

it('a pod deleted while a status write is slow: the write lands before the deletion, and the new pod of the same name runs', async () => {
  await t.core.createNamespacedPod({ namespace: 'default', body: pod('late') });
  await waitForPod(t, 'late', (p) => Boolean(status(p)?.ready));
  // Every status write for this name takes 200 ms (real) to be served, in the order sent.
  const off = t.cluster.faults.addLatency({ verb: 'patch', resource: 'pods', subresource: 'status', name: 'late', ms: 200 });
  try {
    await t.core.deleteNamespacedPod({ name: 'late', namespace: 'default' });
    await waitForPodGone(t, 'late', 20_000);
    // Created at once under the same name, as a StatefulSet does; its first status write is served after any earlier one.
    const { metadata } = await t.core.createNamespacedPod({ namespace: 'default', body: pod('late') });
    const again = await waitForPod(t, 'late', (p) => p.metadata?.uid === metadata?.uid && Boolean(status(p)?.ready), 'the new pod late Ready', 20_000);
    expect(again.metadata?.deletionTimestamp).toBeUndefined();
  } finally {
    off();
  }
  expect(logged.filter((m) => m.includes('status update for default/late failed'))).toEqual([]);
});
