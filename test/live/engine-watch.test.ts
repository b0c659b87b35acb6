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

/** The engine's watch of `target`, debounced `debounceMs`, counting its wakes; resolves once its three watches are open. */
async function watchCounting(debounceMs: number) {
  const abort = new AbortController();
  let count = 0;
  let wake: (() => void) | null = null;
  const done = informerWatch(informers, { debounceMs })(target, () => {
    count += 1;
    wake?.();
  }, abort.signal);
  await cluster.counters.until(() => cluster.counters.openWatches() === 3);
  return {
    abort,
    done,
    /** The wakes so far. */
    wakes: () => count,
    /** Resolves at the next wake. */
    woken: () => new Promise<void>((resolve) => (wake = resolve)),
  };
}

it('wakes on pods, deployments and pod Warnings of the environment, and releases the informers when aborted', async () => {
  const { abort, done, wakes, woken } = await watchCounting(5);
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
  expect(wakes()).toBe(3);

  abort.abort();
  await done;
  expect(informers.stats().leases).toBe(0);
  await cluster.counters.until(() => cluster.counters.openWatches() === 0);
});

it('wakes on a pod or Deployment change a pass can act on or publish, not on one it cannot (a pod\'s IP, a Deployment\'s status counts)', async () => {
  const { abort, done, wakes, woken } = await watchCounting(0);
  const name = 'web-production-r1-b';
  const pods = informers.acquire('c', target.namespace, 'pods');
  const deployments = informers.acquire('c', target.namespace, 'deployments');
  /** Resolves once the shared informer has told its listeners (the watch's first) of this resourceVersion of the object. */
  const seenIn = (lease: typeof pods, objectName: string, resourceVersion: string | undefined) =>
    new Promise<void>((resolve) => {
      if (lease.informer.cache.get(objectName)?.metadata?.resourceVersion === resourceVersion) return resolve();
      const off = lease.informer.on((_type, o) => {
        if (o.metadata?.name === objectName && o.metadata?.resourceVersion === resourceVersion) {
          off();
          resolve();
        }
      });
    });
  const seen = (resourceVersion: string | undefined) => seenIn(pods, name, resourceVersion);
  /** Once `count` wakes came, one more turn of the timers lets any other wake come too (each is scheduled, debounced 0 ms, as the informer tells a change). */
  const settledAt = async (count: number) => {
    if (wakes() < count) await woken();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(wakes()).toBe(count);
  };

  const first = woken();
  await core.createNamespacedPod({ namespace: target.namespace, body: { metadata: { name, labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } });
  await first;
  expect(wakes()).toBe(1);
  // Given an IP: no wake (checked once the informer told it, before the next change could merge with it); then Ready: one.
  const ip = await core.patchNamespacedPodStatus({ name, namespace: target.namespace, body: [{ op: 'add', path: '/status/podIP', value: '10.0.0.9' }] });
  await seen(ip.metadata?.resourceVersion);
  await settledAt(1);
  const ready = await core.patchNamespacedPodStatus({ name, namespace: target.namespace, body: [{ op: 'add', path: '/status/conditions', value: [{ type: 'Ready', status: 'True' }] }] });
  await seen(ready.metadata?.resourceVersion);
  await settledAt(2);

  // A Deployment: created (a wake); its status counts move (none); scaled (a wake).
  const dname = 'web-production-r1';
  const created = await apps.createNamespacedDeployment({
    namespace: target.namespace,
    body: { metadata: { name: dname, labels }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } } },
  });
  await seenIn(deployments, dname, created.metadata?.resourceVersion);
  await settledAt(3);
  const counted = await apps.patchNamespacedDeploymentStatus({ name: dname, namespace: target.namespace, body: [{ op: 'add', path: '/status', value: { replicas: 1, readyReplicas: 1, availableReplicas: 1 } }] });
  await seenIn(deployments, dname, counted.metadata?.resourceVersion);
  await settledAt(3);
  const scaled = await apps.patchNamespacedDeployment({ name: dname, namespace: target.namespace, body: [{ op: 'replace', path: '/spec/replicas', value: 2 }] });
  await seenIn(deployments, dname, scaled.metadata?.resourceVersion);
  await settledAt(4);

  pods.release();
  deployments.release();
  abort.abort();
  await done;
});
