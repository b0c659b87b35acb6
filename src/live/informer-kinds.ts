/** The kinds an informer follows: their watch paths, their selectors and their list calls. */
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { boundedClient } from '../kube/bounded-kubeconfig.js';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../kube/render/names.js';
import type { KubeObject } from './informer.js';

export type InformerKind = 'pods' | 'events' | 'deployments' | 'statefulsets';

/** The collection's path: in one namespace, or across all of them (`namespace` null). */
export function listPath(kind: InformerKind, namespace: string | null): string {
  const ns = namespace === null ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return kind === 'pods' || kind === 'events' ? `/api/v1${ns}/${kind}` : `/apis/apps/v1${ns}/${kind}`;
}

/**
 * Only what cairn manages is listed and watched: its pods and workloads by label, and the events of
 * pods (events carry no labels of their object).
 */
export function selectorsOf(kind: InformerKind): { labelSelector?: string; fieldSelector?: string } {
  return kind === 'events' ? { fieldSelector: 'involvedObject.kind=Pod' } : { labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}` };
}

export interface ObjectList {
  items: KubeObject[];
  metadata?: { resourceVersion?: string };
}

const asList = (list: unknown) => list as ObjectList & { metadata?: { _continue?: string } };

/** Objects per page of a list across the cluster. */
const PAGE_SIZE = 500;

/** Lists the kind (in the namespace, or in all), bounded like every call (a list that gets no answer in time throws a timeout). */
export async function listObjects(kc: KubeConfig, kind: InformerKind, namespace: string | null): Promise<ObjectList> {
  const core = () => boundedClient(kc, CoreV1Api);
  const apps = () => boundedClient(kc, AppsV1Api);
  const selectors = selectorsOf(kind);
  if (namespace === null) {
    // Across a whole cluster: in pages (as client-go's reflector does), so that a large cluster answers each page in time.
    const page = async (_continue?: string): Promise<ObjectList & { metadata?: { _continue?: string } }> => {
      const params = { ...selectors, limit: PAGE_SIZE, ...(_continue ? { _continue } : {}) };
      switch (kind) {
        case 'pods':
          return asList(await core().listPodForAllNamespaces(params));
        case 'events':
          return asList(await core().listEventForAllNamespaces(params));
        case 'deployments':
          return asList(await apps().listDeploymentForAllNamespaces(params));
        case 'statefulsets':
          return asList(await apps().listStatefulSetForAllNamespaces(params));
      }
    };
    let list = await page();
    const items = [...(list.items ?? [])];
    while (list.metadata?._continue) {
      list = await page(list.metadata._continue);
      items.push(...(list.items ?? []));
    }
    return { items, metadata: { resourceVersion: list.metadata?.resourceVersion ?? '' } };
  }
  switch (kind) {
    case 'pods':
      return asList(await core().listNamespacedPod({ namespace, ...selectors }));
    case 'events':
      return asList(await core().listNamespacedEvent({ namespace, ...selectors }));
    case 'deployments':
      return asList(await apps().listNamespacedDeployment({ namespace, ...selectors }));
    case 'statefulsets':
      return asList(await apps().listNamespacedStatefulSet({ namespace, ...selectors }));
  }
}
