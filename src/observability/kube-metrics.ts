/**
 * Kubernetes metrics: every API call to a cluster (by cluster, verb and answer, with its latency), the informers'
 * open watches and their relists (a list after the cache was filled: an expired history or an error).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
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
  const registers = [registry];
  const requests = new Counter({
    name: 'cairn_kube_requests_total',
    help: 'API calls to Kubernetes clusters (watches, logs and exec streams not included), by cluster, verb and HTTP status (or timeout, cancelled, error).',
    labelNames: ['cluster', 'verb', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'cairn_kube_request_duration_seconds',
    help: 'Time from sending an API call to a Kubernetes cluster to its answer (or failure), by cluster and verb.',
    labelNames: ['cluster', 'verb'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers,
  });
  const watches = new Gauge({
    name: 'cairn_kube_watches_open',
    help: 'Watches open now from the shared informers, by cluster and kind.',
    labelNames: ['cluster', 'kind'] as const,
    registers,
  });
  const relists = new Counter({
    name: 'cairn_informer_relists_total',
    help: 'Lists an informer sent after its cache was filled (its watch history expired, or a watch failed), by cluster and kind.',
    labelNames: ['cluster', 'kind'] as const,
    registers,
  });
  return {
    call(request) {
      const started = performance.now();
      return (end) => {
        const seconds = (performance.now() - started) / 1000;
        requests.inc({ cluster: request.cluster, verb: request.verb, status: statusLabel(end) });
        duration.observe({ cluster: request.cluster, verb: request.verb }, seconds);
      };
    },
    informer(cluster, kind) {
      const labels = { cluster, kind };
      return {
        listed(relist) {
          if (relist) relists.inc(labels);
        },
        watching() {
          watches.inc(labels);
          let open = true;
          return () => {
            if (!open) return;
            open = false;
            watches.dec(labels);
          };
        },
      };
    },
  };
}
