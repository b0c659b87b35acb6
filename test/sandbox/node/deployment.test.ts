/** The node agent with the whole sandbox: a Deployment's pods are scheduled, run, become Ready, and are removed on scale-down. */
import { AppsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';
import { KubeConfig, CoreV1Api, Watch, type V1Deployment } from '@kubernetes/client-node';
import { waitForEvent, waitForPodGone } from './helpers.js';

let cluster: SandboxCluster;
let kc: KubeConfig;
beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'nodedeploy', speed: 100 });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
});
afterAll(async () => {
  await cluster?.stop();
});

function waitForDeployment(name: string, test: (d: V1Deployment) => boolean): Promise<V1Deployment> {
  return new Promise((resolve, reject) => {
    let ac: AbortController | undefined;
    const timer = setTimeout(() => reject(new Error(`deployment ${name} did not get there`)), 20_000);
    void new Watch(kc)
      .watch('/apis/apps/v1/namespaces/default/deployments', { fieldSelector: `metadata.name=${name}` }, (_type: string, d: V1Deployment) => {
        if (test(d)) {
          clearTimeout(timer);
          ac?.abort();
          resolve(d);
        }
      }, () => {})
      .then((c) => (ac = c));
  });
}

describe('a Deployment on simulated nodes', () => {
  it('rolls out to Ready pods spread over the three default nodes, and scales down', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const nodes = (await core.listNode()).items.map((n) => n.metadata?.name);
    expect(nodes).toEqual(['nodedeploy-node-1', 'nodedeploy-node-2', 'nodedeploy-node-3']);
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [{ name: 'web', image: 'springboot2:2.7', resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } }, readinessProbe: { httpGet: { path: '/actuator/health', port: 8081 }, periodSeconds: 5 } }],
            },
          },
        },
      },
    });
    await waitForDeployment('web', (d) => d.status?.readyReplicas === 3);
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items;
    expect(pods.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready)).toBe(true);
    expect(new Set(pods.map((p) => p.status?.podIP)).size).toBe(3);
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: 'default', body: { spec: { replicas: 1 } } },
      (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json'),
    );
    await waitForDeployment('web', (d) => d.status?.replicas === 1 && d.status.readyReplicas === 1);
    const left = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items;
    const t = { kc, core, cluster, node: '', stop: async () => {} };
    for (const p of left.filter((p) => p.metadata?.deletionTimestamp)) await waitForPodGone(t, p.metadata!.name!);
    expect((await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items).toHaveLength(1);
    // Each removed pod's container was stopped gracefully.
    for (const p of pods.filter((p) => !left.some((l) => l.metadata?.name === p.metadata?.name && !l.metadata?.deletionTimestamp))) {
      await waitForEvent(t, p.metadata!.name!, 'Killing', 'Stopping container web');
    }
  });

  it('flaky: one pod of the cluster (whatever its node) crash-loops; once it is deleted, its replacement runs', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'locky' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'locky' } },
          template: {
            metadata: { labels: { app: 'locky' } },
            spec: { containers: [{ name: 'app', image: 'nginx:flaky', readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 2 } }] },
          },
        },
      },
    });
    await waitForDeployment('locky', (d) => d.status?.readyReplicas === 2);
    const list = async () => (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=locky' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    // Two of three are Ready: the third is the first pod that ran the image, and it never will be.
    const notReady = (await list()).filter((p) => !p.status?.containerStatuses?.[0]?.ready);
    expect(notReady).toHaveLength(1);
    const victim = notReady[0]!.metadata!.name!;
    const t = { kc, core, cluster, node: '', stop: async () => {} };
    await waitForEvent(t, victim, 'BackOff', 'Back-off restarting failed container app');
    expect(new Set((await list()).map((p) => p.spec?.nodeName)).size).toBeGreaterThan(1); // spread over nodes: the rule is the cluster's
    await core.deleteNamespacedPod({ name: victim, namespace: 'default' });
    await waitForDeployment('locky', (d) => d.status?.readyReplicas === 3);
    const pods = await list();
    expect(pods.map((p) => p.metadata?.name)).not.toContain(victim);
    expect(pods.every((p) => p.status?.containerStatuses?.[0]?.ready)).toBe(true);
  });
});
