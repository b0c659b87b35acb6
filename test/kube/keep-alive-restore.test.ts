/**
 * The keep-alive agent after a network path that swallowed connections comes back: new connections
 * (over TLS) connect again, so a call fails only while the path is down.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BoundedKubeConfig } from '../../src/kube/bounded-kubeconfig.js';
import { toKubeError } from '../../src/kube/kube-errors.js';
import { DEFAULT_KUBE_TIMEOUTS } from '../../src/kube/kube-timeouts.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { kubeconfigVia, serverOf, startBlackholeProxy, type BlackholeProxy } from '../e2e/blackhole-proxy.js';

let cluster: SandboxCluster;
let proxy: BlackholeProxy;
let kc: KubeConfig;

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-restore', controllers: false, nodeAgent: false, tls: true });
  proxy = await startBlackholeProxy(serverOf(cluster.kubeconfig));
  kc = new KubeConfig();
  kc.loadFromString(kubeconfigVia(cluster.kubeconfig, proxy.url));
});
afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
});

it('calls fail while no connection is answered, and succeed at once when the path is back', async () => {
  const core = new BoundedKubeConfig(kc, { cluster: 'kube-restore', timeouts: { ...DEFAULT_KUBE_TIMEOUTS, connectMs: 300, requestMs: 2000 } }).makeApiClient(CoreV1Api);
  expect((await core.readNamespace({ name: 'default' })).metadata?.name).toBe('default');
  proxy.blackhole();
  // The kept-alive connection still works; a second call side by side needs a new one, which is swallowed.
  const [, second] = await Promise.allSettled([core.readNamespace({ name: 'default' }), core.readNamespace({ name: 'default' })]);
  expect(second.status === 'rejected' ? toKubeError(second.reason).message : 'answered').toMatch(/no connection within 300 ms|answered/);
  proxy.restore();
  const again = await Promise.all(Array.from({ length: 4 }, () => core.readNamespace({ name: 'default' })));
  expect(again.map((n) => n.metadata?.name)).toEqual(['default', 'default', 'default', 'default']);
});
