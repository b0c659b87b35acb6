/**
 * Live status: the shared informers and the event hub, and what the API asks of them.
 *
 *   const live = createLiveStatus((cluster) => registry.kubeConfig(cluster));
 *   live.environment(scope)                       → its instances and events now, from the informer
 *                                                   caches (waiting for them to fill when cold)
 *   live.followEnvironment(scope, { after, filter }) → snapshot first, then every change, with cursors
 *   live.hub.subscribe(key, source, options)      → any other stream (a release order's feed …)
 *   live.reads.observeEnvironment(target)         → revisions and instances from the caches (the engine's read)
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { environmentKey, environmentSource, environmentView, type EnvironmentEvent, type EnvironmentSnapshot } from './environment-feed.js';
import { cachesFilled, createEnvironmentReads, type EnvironmentReads, type EnvironmentReadsOptions } from './environment-reads.js';
import { createHub, type Delivery, type Hub, type HubOptions, type SubscribeOptions } from './hub.js';
import { createInformers, type Informers, type InformersOptions } from './informers.js';
import type { EnvironmentScope } from './instances.js';

export interface LiveStatusOptions {
  informers?: InformersOptions;
  hub?: HubOptions;
  /** How long a query waits for cold informers to fill (default 10 000 ms). */
  syncTimeoutMs?: number;
  /** The observation reads (the engine's, ReleaseOrder.batches', the order publisher's). */
  reads?: Omit<EnvironmentReadsOptions, 'syncTimeoutMs'>;
}

export interface LiveStatus {
  hub: Hub;
  informers: Informers;
  /** What the cluster shows of an environment (revisions, instances), from the caches: the release engine's observation. */
  reads: EnvironmentReads;
  /** The environment's instances and events now; null when its cluster cannot be read in time. */
  environment(scope: EnvironmentScope): Promise<EnvironmentSnapshot | null>;
  followEnvironment(scope: EnvironmentScope, options?: SubscribeOptions<EnvironmentEvent>): AsyncIterableIterator<Delivery<EnvironmentEvent, EnvironmentSnapshot>>;
  stop(): void;
}


export function createLiveStatus(kubeConfigFor: (cluster: string) => KubeConfig, options: LiveStatusOptions = {}): LiveStatus {
  const informers = createInformers(kubeConfigFor, options.informers);
  const hub = createHub(options.hub);
  const syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
  return {
    hub,
    informers,
    reads: createEnvironmentReads(informers, kubeConfigFor, { ...options.reads, ...(options.syncTimeoutMs === undefined ? {} : { syncTimeoutMs }) }),
    async environment(scope) {
      const pods = informers.acquire(scope.cluster, scope.namespace, 'pods');
      const events = informers.acquire(scope.cluster, scope.namespace, 'events');
      try {
        // A cluster whose lists fail answers null at once (not after the wait).
        const filled = await cachesFilled([pods.informer, events.informer], syncTimeoutMs);
        return filled.ok ? environmentView(scope, pods.informer.cache.values(), events.informer.cache.values(), new Date()) : null;
      } finally {
        pods.release();
        events.release();
      }
    },
    followEnvironment: (scope, subscribeOptions) => hub.subscribe(environmentKey(scope), () => environmentSource(informers, scope), subscribeOptions),
    stop() {
      hub.stop();
      informers.stop();
    },
  };
}
