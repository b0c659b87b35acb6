/** client-node API clients per cluster, and the merge-patch option (client-node 1.4 defaults to JSON Patch). */
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, type KubeConfig, type V1Deployment, type V1Service } from '@kubernetes/client-node';
import { jsonRequest, takesJsonCalls } from './json-request.js';
import { describeCall } from './kube-request.js';

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  /** The RoleBinding of an app's namespace (namespace.ts). */
  rbac: RbacAuthorizationV1Api;
  /** SelfSubjectAccessReviews: may cairn work in a namespace. */
  authorization: AuthorizationV1Api;
  /** The release engine's most frequent writes (json-request.ts). */
  hot: HotWrites;
}

/**
 * The writes every release makes, batch after batch: sent as plain JSON requests where the cluster's KubeConfig takes
 * them (json-request.ts: the same bounds, pool, observer and errors, without client-node's typed models), else through
 * the generated clients. Their answers are the objects as the API server wrote them (plain JSON either way: no caller
 * reads more than their resourceVersion).
 */
export interface HotWrites {
  createDeployment(namespace: string, body: V1Deployment): Promise<unknown>;
  /** A merge patch of the Deployment's `spec.replicas`. */
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<unknown>;
  createService(namespace: string, body: V1Service): Promise<unknown>;
}

const segment = encodeURIComponent;

function hotWrites(kc: KubeConfig, apps: AppsV1Api, core: CoreV1Api): HotWrites {
  if (!takesJsonCalls(kc)) {
    return {
      createDeployment: (namespace, body) => apps.createNamespacedDeployment({ namespace, body }),
      scaleDeployment: (namespace, name, replicas) => apps.patchNamespacedDeployment({ name, namespace, body: { spec: { replicas } } }, mergePatch),
      createService: (namespace, body) => core.createNamespacedService({ namespace, body }),
    };
  }
  // Described as the generated client's call would be (the log, the metrics and the write marks name it alike).
  const request = (method: string, param: object) => describeCall(kc.bounds.cluster, method, param)!;
  return {
    createDeployment: (namespace, body) =>
      jsonRequest(kc, request('createNamespacedDeployment', { namespace, body }), { method: 'POST', path: `/apis/apps/v1/namespaces/${segment(namespace)}/deployments`, body }),
    scaleDeployment: (namespace, name, replicas) =>
      jsonRequest(kc, request('patchNamespacedDeployment', { name, namespace }), {
        method: 'PATCH',
        path: `/apis/apps/v1/namespaces/${segment(namespace)}/deployments/${segment(name)}`,
        body: { spec: { replicas } },
        contentType: PatchStrategy.MergePatch,
      }),
    createService: (namespace, body) =>
      jsonRequest(kc, request('createNamespacedService', { namespace, body }), { method: 'POST', path: `/api/v1/namespaces/${segment(namespace)}/services`, body }),
  };
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
      const core = kc.makeApiClient(CoreV1Api);
      const apps = kc.makeApiClient(AppsV1Api);
      clients = {
        kc,
        core,
        apps,
        rbac: kc.makeApiClient(RbacAuthorizationV1Api),
        authorization: kc.makeApiClient(AuthorizationV1Api),
        hot: hotWrites(kc, apps, core),
      };
      byConfig.set(kc, clients);
    }
    return clients;
  };
}
