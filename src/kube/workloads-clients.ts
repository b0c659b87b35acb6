/** client-node API clients per cluster, and the merge-patch option (client-node 1.4 defaults to JSON Patch). */
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
}

/** A client call with its errors mapped (and retried) by kube-errors' withRetry. */
export type Call = <T>(fn: () => Promise<T>) => Promise<import('./kube-errors.js').KubeResult<T>>;

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Clients for each cluster, made again when the cluster's KubeConfig object changes. */
export function clientCache(kubeConfigFor: (cluster: string) => KubeConfig): (cluster: string) => Clients {
  const byConfig = new WeakMap<KubeConfig, Clients>();
  return (cluster) => {
    const kc = kubeConfigFor(cluster);
    let clients = byConfig.get(kc);
    if (!clients) {
      clients = { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
      byConfig.set(kc, clients);
    }
    return clients;
  };
}
