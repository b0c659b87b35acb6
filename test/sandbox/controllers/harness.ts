/**
 * Test harness: a real sandbox store with the controllers running on it, a few Ready nodes, and a
 * stand-in for the node agent that marks pods Running/Ready by writing their status directly.
 */
import { createClock } from '../../../src/sandbox/clock.js';
import { createStore } from '../../../src/sandbox/store/store.js';
import type { KubeObject, Store, StoreEvent } from '../../../src/sandbox/store/types.js';
import { startControllers } from '../../../src/sandbox/controllers/index.js';

export const PODS = '/pods';
export const NODES = '/nodes';
export const DEPLOYMENTS = 'apps/deployments';
export const REPLICASETS = 'apps/replicasets';
export const STATEFULSETS = 'apps/statefulsets';
export const REVISIONS = 'apps/controllerrevisions';
export const SERVICES = '/services';
export const ENDPOINTS = '/endpoints';
export const EVENTS = '/events';

export function node(name: string, opts: { cpu?: string; memory?: string; pods?: string; ready?: boolean; labels?: Record<string, string>; taints?: unknown[] } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: {
      capacity: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110' },
      allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

let ipCounter = 10;

export interface Harness {
  store: Store;
  stop(): void;
  /** Resolves when `check` holds (checked on every store event and every 20 ms), rejects after `timeoutMs`. */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  pods(namespace?: string, filter?: (p: KubeObject) => boolean): KubeObject[];
  /** Marks a pod Running (with an IP) and Ready / not ready, as the node agent would. */
  setPodState(namespace: string, name: string, state: { running?: boolean; ready?: boolean; phase?: string; readySince?: Date }): void;
  /** Makes every bound pod Running and Ready as it appears (and finishes deletions), until stopped. */
  autoKubelet(opts?: { ready?: (pod: KubeObject) => boolean }): () => void;
  events(reason?: string): KubeObject[];
  seen: StoreEvent[];
}

export function startHarness(opts: { speed?: number; nodes?: KubeObject[]; namespaces?: string[] } = {}): Harness {
  const clock = createClock(opts.speed ?? 100);
  const store = createStore(clock);
  for (const ns of opts.namespaces ?? []) store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const n of opts.nodes ?? [node('node-1'), node('node-2'), node('node-3')]) store.create(NODES, n);
  const controllers = startControllers({ store, clock });
  const seen: StoreEvent[] = [];
  const waiters = new Set<() => void>();
  const unsub = store.subscribe((e) => {
    seen.push(e);
    for (const w of [...waiters]) w();
  });
  const cleanups: (() => void)[] = [];

  function setPodState(namespace: string, name: string, state: { running?: boolean; ready?: boolean; phase?: string; readySince?: Date }) {
    const now = (state.readySince ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
    store.modify(
      PODS,
      namespace,
      name,
      (pod) => {
        const status = (pod.status ?? {}) as Record<string, any>;
        const phase = state.phase ?? (state.running === false ? 'Pending' : 'Running');
        const ready = state.ready ?? false;
        const conditions = ((status.conditions ?? []) as Record<string, any>[]).filter((c) => c.type !== 'Ready' && c.type !== 'ContainersReady');
        const prev = ((status.conditions ?? []) as Record<string, any>[]).find((c) => c.type === 'Ready');
        const since = prev && prev.status === (ready ? 'True' : 'False') && !state.readySince ? prev.lastTransitionTime : now;
        conditions.push({ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: since });
        conditions.push({ type: 'ContainersReady', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: since });
        pod.status = { ...status, phase, podIP: status.podIP ?? `10.244.0.${ipCounter++}`, conditions };
        return pod;
      },
      { subresource: 'status' },
    );
  }

  return {
    store,
    seen,
    stop() {
      for (const c of cleanups) c();
      controllers.stop();
      unsub();
    },
    until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let done = false;
        const attempt = () => {
          if (done) return;
          let v: T | undefined | false;
          try {
            v = check();
          } catch {
            v = undefined;
          }
          if (v !== undefined && v !== false) {
            done = true;
            waiters.delete(attempt);
            clearInterval(timer);
            clearTimeout(timeout);
            resolve(v);
          }
        };
        const timer = setInterval(attempt, 20);
        const timeout = setTimeout(() => {
          done = true;
          waiters.delete(attempt);
          clearInterval(timer);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        waiters.add(() => queueMicrotask(attempt));
        attempt();
      });
    },
    pods(namespace = 'default', filter = () => true) {
      return store.list(PODS, { namespace }).items.filter(filter);
    },
    setPodState,
    autoKubelet(o = {}) {
      const handle = (pod: KubeObject) => {
        const spec = pod.spec as { nodeName?: string };
        if (!spec?.nodeName) return;
        if (pod.metadata.deletionTimestamp) {
          setImmediate(() => {
            try {
              store.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
            } catch {
              /* gone */
            }
          });
          return;
        }
        const phase = (pod.status as { phase?: string } | undefined)?.phase;
        if (phase === 'Pending') {
          const ready = o.ready ? o.ready(pod) : true;
          setImmediate(() => {
            const cur = store.get(PODS, pod.metadata.namespace, pod.metadata.name!);
            if (cur && cur.metadata.uid === pod.metadata.uid && (cur.status as { phase?: string }).phase === 'Pending') setPodState(pod.metadata.namespace!, pod.metadata.name!, { ready });
          });
        }
      };
      const un = store.subscribe((e) => {
        if (e.key === PODS && e.type !== 'DELETED') handle(e.object);
      });
      for (const p of store.list(PODS).items) handle(p);
      cleanups.push(un);
      return un;
    },
    events(reason) {
      return store.list(EVENTS).items.filter((e) => !reason || e.reason === reason);
    },
  };
}

export function deployment(name: string, opts: { replicas?: number; image?: string; maxSurge?: number | string; maxUnavailable?: number | string; strategy?: 'Recreate'; minReadySeconds?: number; paused?: boolean; revisionHistoryLimit?: number; cpu?: string } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      ...(opts.minReadySeconds ? { minReadySeconds: opts.minReadySeconds } : {}),
      ...(opts.paused ? { paused: true } : {}),
      ...(opts.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: opts.revisionHistoryLimit } : {}),
      strategy:
        opts.strategy === 'Recreate'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: opts.maxSurge ?? '25%', maxUnavailable: opts.maxUnavailable ?? '25%' } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: opts.image ?? 'nginx:1.25',
              ports: [{ name: 'http', containerPort: 8080 }],
              ...(opts.cpu ? { resources: { requests: { cpu: opts.cpu } } } : {}),
            },
          ],
        },
      },
    },
  };
}
