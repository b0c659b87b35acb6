/**
 * The two clusters an e2e test file runs against: sandbox clusters (the default), or — with
 * CAIRN_E2E_CLUSTER=real (`npm run test:k8s`) — the real control planes the global setup started,
 * with cairn's node agent running this file's simulated nodes on them (their kubelet ports serve
 * logs and exec to the real API server).
 */
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { createClock } from '../../src/sandbox/clock.js';
import type { ImageCatalog } from '../../src/sandbox/images/catalog.js';
import { startNodeAgent, type NodeAgent } from '../../src/sandbox/node/index.js';
import { startSandboxCluster } from '../../src/sandbox/cluster.js';

export { CLUSTERS } from './cluster-names.js';
import { CLUSTERS } from './cluster-names.js';

export const realCluster = () => process.env.CAIRN_E2E_CLUSTER === 'real';

export interface E2eCluster {
  name: string;
  /** Kubeconfig text with one cluster, user and context named after the cluster. */
  kubeconfig: string;
}

export interface RunningClusters {
  clusters: E2eCluster[];
  stop(): Promise<void>;
}

export async function startClusters(images: ImageCatalog, speed: number): Promise<RunningClusters> {
  if (realCluster()) return attachRealClusters(images, speed);
  const clusters = await Promise.all(CLUSTERS.map((name) => startSandboxCluster({ name, speed, images })));
  return {
    clusters,
    async stop() {
      await Promise.all(clusters.map((c) => c.stop()));
    },
  };
}

async function attachRealClusters(images: ImageCatalog, speed: number): Promise<RunningClusters> {
  const clusters = inject('realClusters');
  const agents: NodeAgent[] = [];
  try {
    for (const c of clusters) {
      const log = process.env.CAIRN_E2E_DEBUG ? (msg: string, err?: unknown) => console.error(`[node agent ${c.name}] ${msg}`, err ?? '') : undefined;
      const starting = startNodeAgent({ kubeconfig: c.kubeconfig, clusterName: c.name, clock: createClock(speed), images, kubeletServer: true, ...(log ? { log } : {}) });
      agents.push(await withDeadline(starting, 45_000, `the node agent's nodes on ${c.name} registered`));
    }
  } catch (error) {
    await Promise.all(agents.map((a) => a.stop()));
    throw error;
  }
  return {
    clusters,
    async stop() {
      // What this file left behind goes, while its nodes still run the pods' shutdown; then its nodes.
      await Promise.all(clusters.map((c) => removeNamespaces(c.kubeconfig)));
      await Promise.all(agents.map((a) => a.stop()));
      await Promise.all(clusters.map((c, i) => removeNodes(c.kubeconfig, agents[i]!.nodes)));
    },
  };
}

/** Deletes the cairn-* namespaces and waits (watching) until the namespace controller has removed them. */
async function removeNamespaces(kubeconfig: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const list = await api.listNamespace();
  const left = new Set(list.items.map((n) => n.metadata!.name!).filter((n) => n.startsWith('cairn-')));
  if (left.size === 0) return;
  let watch: AbortController | undefined;
  const gone = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`namespaces not removed within 60 s: ${[...left].join(', ')}`)), 60_000);
    new Watch(kc)
      .watch('/api/v1/namespaces', { resourceVersion: list.metadata!.resourceVersion! }, (type, ns: { metadata: { name: string } }) => {
        if (type === 'DELETED') left.delete(ns.metadata.name);
        if (left.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      }, (error) => error && reject(error))
      .then((c) => (watch = c), reject);
  });
  await Promise.all([...left].map((name) => api.deleteNamespace({ name })));
  try {
    await gone;
  } finally {
    watch?.abort();
  }
}

async function removeNodes(kubeconfig: string, nodes: string[]): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  await Promise.all(nodes.map((name) => api.deleteNode({ name }).catch(() => undefined)));
}

/** Fails with what was awaited, instead of the hook's bare timeout, when `promise` takes longer than `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
