/** The kinds an informer follows: their watch paths, their selectors and their list calls. */
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { boundedClient } from '../kube/bounded-kubeconfig.js';
import { POD_EVENTS, POD_WARNINGS } from '../kube/observe.js';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../kube/render/names.js';
import type { KubeObject } from './informer.js';

/**
 * `events`: every event of a pod (what a console shows of an instance); `warnings`: only their Warnings — all the
 * release engine judges an instance by (a failed pull's message and a failed PostStart hook in instance-failure.ts,
 * the last warning in observe.ts), so that what it follows carries none of the Normal events of every pod's start (Scheduled,
 * Pulling, Pulled, Created, Started), most of a cluster's events.
 */
export type InformerKind = 'pods' | 'events' | 'warnings' | 'deployments' | 'statefulsets';

/** The resource (its collection's last path segment) a kind lists and watches: what RBAC grants it by. */
export const RESOURCE: Record<InformerKind, string> = { pods: 'pods', events: 'events', warnings: 'events', deployments: 'deployments', statefulsets: 'statefulsets' };

/** The collection's path: in one namespace, or across all of them (`namespace` null). */
export function listPath(kind: InformerKind, namespace: string | null): string {
  const ns = namespace === null ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  const resource = RESOURCE[kind];
  return resource === 'pods' || resource === 'events' ? `/api/v1${ns}/${resource}` : `/apis/apps/v1${ns}/${resource}`;
}

/**
 * Only what cairn manages is listed and watched: its pods and workloads by label, and the events of
 * pods (events carry no labels of their object) — for `warnings` their Warnings only.
 */
export function selectorsOf(kind: InformerKind): { labelSelector?: string; fieldSelector?: string } {
  if (kind === 'events') return { fieldSelector: POD_EVENTS };
  if (kind === 'warnings') return { fieldSelector: POD_WARNINGS };
  return { labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}` };
}

export interface ObjectList {
  items: KubeObject[];
  metadata?: { resourceVersion?: string };
}

const asList = (list: unknown) => list as ObjectList & { metadata?: { _continue?: string } };

/** Objects per page of a list across the cluster. */
const PAGE_SIZE = 500;

type ListParams = { namespace?: string; limit?: number; _continue?: string; labelSelector?: string; fieldSelector?: string };
type ListCall = (kc: KubeConfig, params: ListParams) => Promise<unknown>;
const core = (kc: KubeConfig) => boundedClient(kc, CoreV1Api);
const apps = (kc: KubeConfig) => boundedClient(kc, AppsV1Api);

/** Each kind's list calls: in one namespace, and across all of them. */
const LISTS: Record<InformerKind, { namespaced: ListCall; all: ListCall }> = {
  pods: { namespaced: (kc, p) => core(kc).listNamespacedPod(p as never), all: (kc, p) => core(kc).listPodForAllNamespaces(p) },
  events: { namespaced: (kc, p) => core(kc).listNamespacedEvent(p as never), all: (kc, p) => core(kc).listEventForAllNamespaces(p) },
  warnings: { namespaced: (kc, p) => core(kc).listNamespacedEvent(p as never), all: (kc, p) => core(kc).listEventForAllNamespaces(p) },
  deployments: { namespaced: (kc, p) => apps(kc).listNamespacedDeployment(p as never), all: (kc, p) => apps(kc).listDeploymentForAllNamespaces(p) },
  statefulsets: { namespaced: (kc, p) => apps(kc).listNamespacedStatefulSet(p as never), all: (kc, p) => apps(kc).listStatefulSetForAllNamespaces(p) },
};

/** Lists the kind (in the namespace, or in all), bounded like every call (a list that gets no answer in time throws a timeout). */
export async function listObjects(kc: KubeConfig, kind: InformerKind, namespace: string | null): Promise<ObjectList> {
  const selectors = selectorsOf(kind);
  if (namespace !== null) return asList(await LISTS[kind].namespaced(kc, { namespace, ...selectors }));
  // Across a whole cluster: in pages (as client-go's reflector does), so that a large cluster answers each page in time.
  const page = async (_continue?: string) => asList(await LISTS[kind].all(kc, { ...selectors, limit: PAGE_SIZE, ...(_continue ? { _continue } : {}) }));
  let list = await page();
  const items = [...(list.items ?? [])];
  while (list.metadata?._continue) {
    list = await page(list.metadata._continue);
    items.push(...(list.items ?? []));
  }
  return { items, metadata: { resourceVersion: list.metadata?.resourceVersion ?? '' } };
}
