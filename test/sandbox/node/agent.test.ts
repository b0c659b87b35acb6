/**
 * The node agent on its own, against an API server that has none (as it would run beside a real
 * control plane): registration, adopting pods after a restart, and stopping cleanly.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';
import { startNodeAgent } from '../../../src/sandbox/node/index.js';
import { IpPool, nodeConfigs } from '../../../src/sandbox/node/node-object.js';
import { status, waitForPod, type TestCluster } from './helpers.js';

describe('node configs and pod IPs', () => {
  it('defaults to three 4 CPU / 8Gi / 110 pod nodes named after the cluster', () => {
    expect(nodeConfigs('c', undefined).map((n) => [n.name, n.cpu, n.memory, n.pods, n.hostIP, n.podCIDR])).toEqual([
      ['c-node-1', '4', '8Gi', 110, '10.0.0.10', '10.1.0.0/24'],
      ['c-node-2', '4', '8Gi', 110, '10.0.0.11', '10.1.1.0/24'],
      ['c-node-3', '4', '8Gi', 110, '10.0.0.12', '10.1.2.0/24'],
    ]);
    expect(nodeConfigs('c', [{ name: 'big', cpu: 16, memory: '64Gi' }])[0]).toMatchObject({ name: 'big', cpu: '16', memory: '64Gi', pods: 110 });
  });

  it('hands out pod IPs in order, reuses released ones, and keeps a preferred one', () => {
    const pool = new IpPool('10.1.0.0/24');
    expect([pool.allocate(), pool.allocate()]).toEqual(['10.1.0.2', '10.1.0.3']);
    pool.release('10.1.0.2');
    expect(pool.allocate('10.1.0.9')).toBe('10.1.0.9');
    expect(pool.allocate('10.1.0.9')).toBe('10.1.0.4');
    expect(pool.allocate('192.168.0.1')).toBe('10.1.0.5');
  });
});

describe('a separately started node agent', () => {
  let cluster: SandboxCluster;
  let kc: KubeConfig;
  let t: TestCluster;
  beforeAll(async () => {
    cluster = await startSandboxCluster({ name: 'bare', speed: 100, nodeAgent: false });
    kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    t = { cluster, kc, core: kc.makeApiClient(CoreV1Api), node: 'edge-a', stop: async () => {} };
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('registers its nodes, runs pods, and adopts them again after a restart', async () => {
    const start = () =>
      startNodeAgent({ kubeconfig: cluster.kubeconfig, clusterName: 'bare', nodes: [{ name: 'edge-a', cpu: 2, memory: '4Gi', pods: 20 }], clock: cluster.clock, registerKubelet: cluster.registerKubelet });
    const agent = await start();
    expect(agent.nodes).toEqual(['edge-a']);
    const node = await t.core.readNode({ name: 'edge-a' });
    expect(node.status?.capacity).toMatchObject({ cpu: '2', memory: '4194304Ki', pods: '20' });
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'kept' }, spec: { nodeName: 'edge-a', containers: [{ name: 'app', image: 'cairn/demo:v2' }] } } });
    const before = await waitForPod(t, 'kept', (p) => Boolean(status(p)?.state?.running));
    await agent.stop();

    const again = await start();
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'new' }, spec: { nodeName: 'edge-a', containers: [{ name: 'app', image: 'cairn/demo:v2' }] } } });
    const fresh = await waitForPod(t, 'new', (p) => Boolean(status(p)?.state?.running));
    const kept = await waitForPod(t, 'kept', (p) => status(p)?.restartCount === 1 && Boolean(status(p)?.state?.running));
    expect(kept.status?.podIP).toBe(before.status?.podIP);
    expect(fresh.status?.podIP).not.toBe(before.status?.podIP);
    // The restarted agent serves the adopted pod's logs and exec.
    const log = await t.core.readNamespacedPodLog({ name: 'kept', namespace: 'default' });
    expect(log).toContain('msg="starting demo"');
    await again.stop();
  });
});
