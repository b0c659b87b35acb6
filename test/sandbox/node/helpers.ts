/** Test helpers: a sandbox cluster with one fast node, and waits that watch instead of sleeping. */
import { CoreV1Api, KubeConfig, Watch, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';

export interface TestCluster {
  cluster: SandboxCluster;
  kc: KubeConfig;
  core: CoreV1Api;
  node: string;
  stop(): Promise<void>;
}

let seq = 0;

/** `log` receives the node agent's log lines (what it tried and failed). */
export async function fastCluster(speed = 100, log?: (msg: string, err?: unknown) => void): Promise<TestCluster> {
  const name = `nodetest${++seq}`;
  const cluster = await startSandboxCluster({ name, speed, nodes: 1, ...(log ? { nodeLog: log } : {}) });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  return { cluster, kc, core: kc.makeApiClient(CoreV1Api), node: `${name}-node-1`, stop: () => cluster.stop() };
}

/** Lists, then watches, until `test` holds for an object; rejects after `timeoutMs` with the last object seen. */
async function waitFor<T extends { metadata?: { resourceVersion?: string } }>(
  kc: KubeConfig,
  path: string,
  fieldSelector: string,
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
  test: (o: T) => boolean,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const initial = await list();
  const hit = initial.items.find(test);
  if (hit) return hit;
  let last: unknown;
  return new Promise<T>((resolve, reject) => {
    let ac: AbortController | undefined;
    const timer = setTimeout(() => {
      ac?.abort();
      reject(new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)?.slice(0, 2000)}`));
    }, timeoutMs);
    void new Watch(kc)
      .watch(
        path,
        { fieldSelector, resourceVersion: initial.metadata?.resourceVersion },
        (type: string, obj: T) => {
          if (type !== 'ADDED' && type !== 'MODIFIED') return;
          last = obj;
          if (test(obj)) {
            clearTimeout(timer);
            ac?.abort();
            resolve(obj);
          }
        },
        () => {},
      )
      .then((c) => (ac = c));
  });
}

export function waitForPod(t: TestCluster, name: string, test: (p: V1Pod) => boolean, what = `pod ${name}`, timeoutMs = 15_000): Promise<V1Pod> {
  return waitFor(t.kc, '/api/v1/namespaces/default/pods', `metadata.name=${name}`, () => t.core.listNamespacedPod({ namespace: 'default', fieldSelector: `metadata.name=${name}` }), test, what, timeoutMs);
}

export function waitForEvent(t: TestCluster, object: string, reason: string, messageIncludes = '', timeoutMs = 15_000, minCount = 1): Promise<CoreV1Event> {
  return waitFor(
    t.kc,
    '/api/v1/namespaces/default/events',
    `involvedObject.name=${object}`,
    () => t.core.listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${object}` }),
    (e) => e.reason === reason && (e.message ?? '').includes(messageIncludes) && (e.count ?? 1) >= minCount,
    `event ${reason} "${messageIncludes}" (count ≥ ${minCount}) on ${object}`,
    timeoutMs,
  );
}

/** Waits until the pod is gone (404). */
export async function waitForPodGone(t: TestCluster, name: string, timeoutMs = 15_000): Promise<void> {
  const list = await t.core.listNamespacedPod({ namespace: 'default', fieldSelector: `metadata.name=${name}` });
  if (!list.items.length) return;
  await new Promise<void>((resolve, reject) => {
    let ac: AbortController | undefined;
    const timer = setTimeout(() => reject(new Error(`pod ${name} still exists`)), timeoutMs);
    void new Watch(t.kc)
      .watch('/api/v1/namespaces/default/pods', { fieldSelector: `metadata.name=${name}`, resourceVersion: list.metadata?.resourceVersion }, (type: string) => {
        if (type === 'DELETED') {
          clearTimeout(timer);
          ac?.abort();
          resolve();
        }
      }, () => {})
      .then((c) => (ac = c));
  });
}

export const status = (p: V1Pod, container?: string) => p.status?.containerStatuses?.find((s) => !container || s.name === container);
export const condition = (p: V1Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);
