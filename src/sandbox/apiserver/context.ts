/** What every request handler gets: the cluster's parts and the resolved target of the request. */
import type { Clock } from '../clock.js';
import type { KubeletApi } from '../kubelet-api.js';
import type { KubeObject, ResourceKey, ResourceType, Store, StoreEvent } from '../store/types.js';
import type { OpenWatches } from './open-watches.js';

/**
 * The store with the watch history an API server needs (the sandbox store's SandboxStore): events
 * since a version (StoreError 410 when too old), the oldest retained version, compaction, binding.
 */
export interface ApiStore extends Store {
  eventsSince(key: ResourceKey, resourceVersion: number): StoreEvent[];
  oldestVersion(key?: ResourceKey): number;
  compact(): void;
  bind(namespace: string, name: string, nodeName: string): KubeObject;
}

export interface ApiContext {
  store: ApiStore;
  clock: Clock;
  openWatches: OpenWatches;
  /** The kubelet of each node, by node name (registered by the node agent). */
  kubelets: Map<string, KubeletApi>;
  bookmarkIntervalMs?: number;
}

export interface Target {
  type: ResourceType;
  key: ResourceKey;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
}

/** `deployments.apps`, `pods`: how Kubernetes names a resource in messages. */
export const qualified = (type: ResourceType) => (type.group ? `${type.resource}.${type.group}` : type.resource);
