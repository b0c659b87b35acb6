import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { LABEL_APP } from './render/names.js';
import type { ClusterRegistry } from './types.js';

/** How many pods of an app run in a namespace, or why the cluster could not tell. */
export type InstanceCount = { ok: true; running: number } | { ok: false; error: string };

/**
 * How many pods of `app` are running or starting in `namespace` on `cluster`, by listing pods
 * labelled cairn.dev/app=<app> through the Kubernetes API. A missing namespace counts as none.
 */
export async function countRunningInstances(clusters: ClusterRegistry, cluster: string, namespace: string, app: string): Promise<InstanceCount> {
  if (!clusters.get(cluster)) return { ok: false, error: `the cluster "${cluster}" is no longer configured` };
  try {
    const api = clusters.kubeConfig(cluster).makeApiClient(CoreV1Api);
    const list = await api.listNamespacedPod({ namespace, labelSelector: `${LABEL_APP}=${app}` });
    const running = list.items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
    return { ok: true, running };
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return { ok: true, running: 0 };
    const message = err instanceof ApiException ? `HTTP ${err.code}` : err instanceof Error ? err.message : String(err);
    return { ok: false, error: message };
  }
}
