/** The kinds an informer follows: their watch paths and their list calls. */
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { boundedClient } from '../kube/bounded-kubeconfig.js';
import type { KubeObject } from './informer.js';

export type InformerKind = 'pods' | 'events' | 'deployments' | 'statefulsets';

export function listPath(kind: InformerKind, namespace: string): string {
  const ns = encodeURIComponent(namespace);
  return kind === 'pods' || kind === 'events' ? `/api/v1/namespaces/${ns}/${kind}` : `/apis/apps/v1/namespaces/${ns}/${kind}`;
}

export interface ObjectList {
  items: KubeObject[];
  metadata?: { resourceVersion?: string };
}

const asList = (list: unknown) => list as ObjectList;

/** Lists the kind in the namespace, bounded like every call (a list that gets no answer in time throws a timeout). */
export async function listObjects(kc: KubeConfig, kind: InformerKind, namespace: string): Promise<ObjectList> {
  const core = () => boundedClient(kc, CoreV1Api);
  const apps = () => boundedClient(kc, AppsV1Api);
  switch (kind) {
    case 'pods':
      return asList(await core().listNamespacedPod({ namespace }));
    case 'events':
      return asList(await core().listNamespacedEvent({ namespace }));
    case 'deployments':
      return asList(await apps().listNamespacedDeployment({ namespace }));
    case 'statefulsets':
      return asList(await apps().listNamespacedStatefulSet({ namespace }));
  }
}
