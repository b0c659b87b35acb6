/**
 * Kubernetes metrics: every API call to a cluster (by cluster, verb and answer, with its latency), the informers'
 * open watches and their relists (a list after the cache was filled: an expired history or an error).
 */
import type { Registry } from 'prom-client';
import { countOpen, metricsIn, secondsSince } from './declare.js';
import type { KubeCallEnd, KubeCallObserver } from '../kube/kube-request.js';
import type { InformerObserver } from '../live/informer.js';
import type { InformerKind } from '../live/informer-kinds.js';

export interface KubeMetrics {
  /** The observer of every API call (given to the cluster registry's KubeConfigs). */
  call: KubeCallObserver;
  /** The observer of one (cluster, kind)'s informers. */
  informer(cluster: string, kind: InformerKind): InformerObserver;
}

/** The `status` label: the HTTP status, or why no answer came (`timeout`, `cancelled`, `error`). */
export function statusLabel(end: KubeCallEnd): string {
  return end.status !== null ? String(end.status) : (end.failure ?? 'error');
}

export function createKubeMetrics(registry: Registry): KubeMetrics {
  const declare = metricsIn(registry);
  const requests = declare.counter(
    'cairn_kube_requests_total',
    'API calls to Kubernetes clusters (watches, logs and exec streams not included), by cluster, verb and HTTP status (or timeout, cancelled, error).',
    ['cluster', 'verb', 'status'],
  );
  const duration = declare.histogram(
    'cairn_kube_request_duration_seconds',
    'Time from sending an API call to a Kubernetes cluster to its answer (or failure), by cluster and verb.',
    ['cluster', 'verb'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  );
  const watches = declare.gauge('cairn_kube_watches_open', 'Watches open now from the shared informers, by cluster and kind.', ['cluster', 'kind']);
  const relists = declare.counter(
    'cairn_informer_relists_total',
    'Lists an informer sent after its cache was filled (its watch history expired, or a watch failed), by cluster and kind.',
    ['cluster', 'kind'],
  );
  return {
    call(request) {
      const started = performance.now();
      return (end) => {
        requests.inc({ cluster: request.cluster, verb: request.verb, status: statusLabel(end) });
        duration.observe({ cluster: request.cluster, verb: request.verb }, secondsSince(started));
      };
    },
    informer(cluster, kind) {
      const labels = { cluster, kind };
      return {
        listed(relist) {
          if (relist) relists.inc(labels);
        },
        watching: () => countOpen(watches, labels),
      };
    },
  };
}
