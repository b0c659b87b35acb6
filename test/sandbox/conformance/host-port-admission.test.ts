/**
 * The upstream spec "[sig-apps] StatefulSet Basic StatefulSet functionality Should recreate evicted
 * statefulset": the kubelet refuses a pod whose host port an active pod of its node holds (phase
 * Failed, reason NodePorts, a Warning event); the StatefulSet controller replaces the failed pod
 * until the port is free, and then its pod runs. And the suite's StatefulSet clean-up finds the
 * PersistentVolumeClaim and PersistentVolume resources it lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { admit, conflicts, hostPorts } from '../../../src/sandbox/node/admission.js';
import type { Pod } from '../../../src/sandbox/node/types.js';
import { fastCluster, waitForEvent, waitForPod, type TestCluster } from '../node/helpers.js';

let t: TestCluster;
beforeAll(async () => {
  t = await fastCluster(20);
});
afterAll(() => t?.stop());

const HTTPD = 'docker.io/library/httpd:2.4.38-alpine';
const conflictingPort = { hostPort: 21017, containerPort: 21017, name: 'conflict' };

describe('kubelet admission: host ports', () => {
  it('a StatefulSet pod asking for a held host port is rejected and replaced until the port is free, then runs', async () => {
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'test-pod' }, spec: { nodeName: t.node, containers: [{ name: 'webserver', image: HTTPD, ports: [conflictingPort] }] } } });
    await waitForPod(t, 'test-pod', (p) => p.status?.phase === 'Running', 'test-pod running');

    // Watch ss-0 from now on: the first one is rejected and then deleted by the controller.
    const list = await t.core.listNamespacedPod({ namespace: 'default', fieldSelector: 'metadata.name=ss-0' });
    const seen: { type: string; pod: V1Pod }[] = [];
    let onDelete!: () => void;
    const deleted = new Promise<void>((r) => (onDelete = r));
    const ac = await new Watch(t.kc).watch(
      '/api/v1/namespaces/default/pods',
      { fieldSelector: 'metadata.name=ss-0', resourceVersion: list.metadata?.resourceVersion },
      (type: string, pod: V1Pod) => {
        seen.push({ type, pod });
        if (type === 'DELETED') onDelete();
      },
      () => {},
    );
    const labels = { app: 'ss' };
    await t.kc.makeApiClient(AppsV1Api).createNamespacedStatefulSet({
      namespace: 'default',
      body: {
        metadata: { name: 'ss' },
        spec: {
          replicas: 1,
          serviceName: 'test',
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { nodeName: t.node, containers: [{ name: 'webserver', image: HTTPD, ports: [conflictingPort] }] } },
        },
      },
    });
    await deleted;
    ac.abort();
    const rejected = seen.find((e) => e.pod.status?.phase === 'Failed')?.pod;
    expect(rejected?.status?.reason).toBe('NodePorts');
    expect(rejected?.status?.message).toBe("Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    const ev = await waitForEvent(t, 'ss-0', 'NodePorts');
    expect(ev.type).toBe('Warning');

    await t.core.deleteNamespacedPod({ name: 'test-pod', namespace: 'default', gracePeriodSeconds: 0 });
    const running = await waitForPod(t, 'ss-0', (p) => p.status?.phase === 'Running', 'ss-0 running', 20_000);
    expect(running.status?.containerStatuses?.[0]?.ready).toBe(true);
  });
});

describe('the StatefulSet specs’ clean-up (DeleteAllStatefulSets)', () => {
  it('lists PersistentVolumeClaims and PersistentVolumes (empty: nothing provisions them), where a 404 made it retry for ten minutes', async () => {
    expect((await t.core.listNamespacedPersistentVolumeClaim({ namespace: 'default' })).items).toEqual([]);
    expect((await t.core.listPersistentVolume()).items).toEqual([]);
  });
});

describe('admission rules', () => {
  const pod = (ports: { hostPort?: number; containerPort: number; protocol?: string; hostIP?: string }[]): Pod =>
    ({ metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec: { containers: [{ name: 'c', ports }] } }) as Pod;
  it.each([
    ['same port and protocol', [{ hostPort: 80, containerPort: 80 }], [{ hostPort: 80, containerPort: 8080 }], true],
    ['other protocol', [{ hostPort: 80, containerPort: 80, protocol: 'UDP' }], [{ hostPort: 80, containerPort: 80 }], false],
    ['other port', [{ hostPort: 81, containerPort: 80 }], [{ hostPort: 80, containerPort: 80 }], false],
    ['different host IPs', [{ hostPort: 80, containerPort: 80, hostIP: '10.0.0.1' }], [{ hostPort: 80, containerPort: 80, hostIP: '10.0.0.2' }], false],
    ['one on 0.0.0.0', [{ hostPort: 80, containerPort: 80 }], [{ hostPort: 80, containerPort: 80, hostIP: '10.0.0.2' }], true],
    ['no host port at all', [{ containerPort: 80 }], [{ containerPort: 80 }], false],
  ])('%s', (_, a, b, conflict) => {
    expect(conflicts(hostPorts(pod(a)), hostPorts(pod(b)))).toBe(conflict);
    expect(admit(pod(a), [pod(b)])?.reason).toBe(conflict ? 'NodePorts' : undefined);
  });
});
