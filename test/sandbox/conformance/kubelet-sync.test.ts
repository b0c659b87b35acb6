/**
 * The simulated kubelet against the upstream specs "[k8s.io] Pods should allow activeDeadlineSeconds
 * to be updated" and "[k8s.io] Pods should run through the lifecycle of Pods and PodStatus" (issue:
 * `activeDeadlineSeconds` was not enforced; a pod's status changed in the same round trip as its
 * spec change, where a real kubelet reacts a sync later).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { condition, fastCluster, status, waitForEvent, waitForPod, type TestCluster } from '../node/helpers.js';

const AGNHOST = 'k8s.gcr.io/e2e-test-images/agnhost:2.21';
const HTTPD = 'docker.io/library/httpd:2.4.38-alpine';
const NGINX = 'docker.io/library/nginx:1.14-alpine';

let t: TestCluster;
// Real time: the kubelet's one-second sync is a whole second, well beyond two API round trips even
// on a loaded machine (the pods start in about two seconds, the deadline takes five).
beforeAll(async () => {
  t = await fastCluster(1);
});
afterAll(() => t?.stop());

const running = (p: V1Pod) => p.status?.phase === 'Running' && condition(p, 'Ready')?.status === 'True';

describe('kubelet: activeDeadlineSeconds', () => {
  it('a deadline set on a running pod fails it with DeadlineExceeded; its containers are killed and the pod stays', async () => {
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'deadline' }, spec: { containers: [{ name: 'nginx', image: NGINX }] } } });
    await waitForPod(t, 'deadline', running, 'pod running');
    const cur = await t.core.readNamespacedPod({ name: 'deadline', namespace: 'default' });
    cur.spec!.activeDeadlineSeconds = 5;
    await t.core.replaceNamespacedPod({ name: 'deadline', namespace: 'default', body: cur });

    const failed = await waitForPod(t, 'deadline', (p) => p.status?.phase === 'Failed', 'pod failed', 20_000);
    expect(failed.status?.reason).toBe('DeadlineExceeded');
    expect(failed.status?.message).toBe('Pod was active on the node longer than the specified deadline');
    const ev = await waitForEvent(t, 'deadline', 'DeadlineExceeded');
    expect(ev.type).toBe('Normal');
    await waitForEvent(t, 'deadline', 'Killing', 'Stopping container nginx');
    const stopped = await waitForPod(t, 'deadline', (p) => Boolean(status(p)?.state?.terminated), 'container terminated');
    expect(stopped.status?.phase).toBe('Failed');
    expect(stopped.status?.reason).toBe('DeadlineExceeded');
    expect(condition(stopped, 'Ready')?.status).toBe('False');
    expect(stopped.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('a pod within its deadline keeps running', async () => {
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'within' }, spec: { activeDeadlineSeconds: 3600, containers: [{ name: 'nginx', image: NGINX }] } } });
    const p = await waitForPod(t, 'within', running, 'pod running');
    expect(p.status?.reason).toBeUndefined();
  });
});

describe('kubelet: a spec change takes effect a sync later', () => {
  it('patching the image: the status read right after still shows the old container, Ready; then the container restarts with the new image', async () => {
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'pod-test' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'pod-test', image: AGNHOST }] } } });
    await waitForPod(t, 'pod-test', running, 'pod running');

    // The upstream spec's sequence: patch the image, read the pod, read its status, set Ready False.
    await t.core.patchNamespacedPod({ name: 'pod-test', namespace: 'default', body: [{ op: 'replace', path: '/spec/containers/0/image', value: HTTPD }] });
    const read = await t.core.readNamespacedPodStatus({ name: 'pod-test', namespace: 'default' });
    expect(read.spec?.containers[0]?.image).toBe(HTTPD);
    expect(status(read)?.image).toContain('agnhost');
    expect(condition(read, 'Ready')?.status).toBe('True');
    expect(condition(read, 'ContainersReady')?.status).toBe('True');
    for (const c of read.status!.conditions!) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = 'False';
    const updated = await t.core.replaceNamespacedPodStatus({ name: 'pod-test', namespace: 'default', body: read });
    expect(updated.status?.conditions?.filter((c) => (c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'False')).toHaveLength(2);

    await waitForEvent(t, 'pod-test', 'Killing', 'definition changed');
    const restarted = await waitForPod(t, 'pod-test', (p) => (status(p)?.image ?? '').includes('httpd') && running(p), 'restarted with httpd');
    expect(status(restarted)?.restartCount).toBe(1);
  });
});
