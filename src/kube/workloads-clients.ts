/** client-node API clients per cluster, and the merge-patch option (client-node 1.4 defaults to JSON Patch). */
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  /** The RoleBinding of an app's namespace (namespace.ts). */
  rbac: RbacAuthorizationV1Api;
  /** SelfSubjectAccessReviews: may cairn work in a namespace. */
  authorization: AuthorizationV1Api;
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
      clients = {
        kc,
        core: kc.makeApiClient(CoreV1Api),
        apps: kc.makeApiClient(AppsV1Api),
        rbac: kc.makeApiClient(RbacAuthorizationV1Api),
        authorization: kc.makeApiClient(AuthorizationV1Api),
      };
      byConfig.set(kc, clients);
    }
    return clients;
  };
}
