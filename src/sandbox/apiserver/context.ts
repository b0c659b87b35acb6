/** What every request handler gets: the cluster's parts and the resolved target of the request. */
import type { Clock } from '../clock.js';
import type { KubeletApi } from '../kubelet-api.js';
import type { ResourceKey, ResourceType, Store } from '../store/types.js';
import type { OpenWatches } from './open-watches.js';
import type { WatchCache } from './watch-cache.js';

export interface ApiContext {
  store: Store;
  clock: Clock;
  cache: WatchCache;
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
