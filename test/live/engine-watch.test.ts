/** The engine's watchEnvironment on the shared informers: wakes on the environment's pods, workloads and pod Warnings (the only events it watches); lets go when aborted. */
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { informerWatch } from '../../src/live/engine-watch.js';
import { createInformers, type Informers } from '../../src/live/informers.js';
import type { EnvironmentTarget } from '../../src/kube/workloads-types.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';

const target: EnvironmentTarget = { cluster: 'c', namespace: 'cairn-web', appName: 'web', appType: 'STATELESS', environmentKind: 'PRODUCTION' };
const labels = { 'cairn.dev/app': 'web', 'cairn.dev/environment': 'production', 'app.kubernetes.io/managed-by': 'cairn' };
let cluster: SandboxCluster;
let informers: Informers;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeEach(async () => {
  cluster = await startSandboxCluster({ name: 'engine-watch', controllers: false, nodeAgent: false });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: target.namespace } } });
  informers = createInformers(() => kc, { idleMs: 10 });
});
afterEach(async () => {
  informers.stop();
  await cluster.stop();
});

it('wakes on pods, deployments and pod Warnings of the environment, and releases the informers when aborted', async () => {
  const watch = informerWatch(informers, { debounceMs: 5 });
  const abort = new AbortController();
  let wakes = 0;
  let wake: (() => void) | null = null;
  const woken = () => new Promise<void>((resolve) => (wake = resolve));
  const done = watch(target, () => {
    wakes += 1;
    wake?.();
  }, abort.signal);
  await cluster.counters.until(() => cluster.counters.openWatches() === 3);
  // Pod events: their Warnings only (all the engine judges an instance by), never the Normal ones of every start.
  expect(cluster.counters.watches({ resource: 'events' }).map((w) => w.fieldSelector)).toEqual(['involvedObject.kind=Pod,type=Warning']);

  let next = woken();
  await core.createNamespacedPod({ namespace: target.namespace, body: { metadata: { name: 'web-production-r1-a', labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } });
  await next;
  next = woken();
  await apps.createNamespacedDeployment({
    namespace: target.namespace,
    body: {
      metadata: { name: 'web-production-r1', labels },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
    },
  });
  await next;
  next = woken();
  await core.createNamespacedEvent({ namespace: target.namespace, body: { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'web-production-r1-a' }, type: 'Warning', reason: 'BackOff', message: 'm' } });
  await next;
  expect(wakes).toBe(3);

  abort.abort();
  await done;
  expect(informers.stats().leases).toBe(0);
  await cluster.counters.until(() => cluster.counters.openWatches() === 0);
});
