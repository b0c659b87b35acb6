/**
 * cairn's metrics: one prom-client Registry per cairn (several may run in one process: tests, benches), never the
 * global default registry. Holds the GraphQL, Kubernetes and release metrics. Node's process metrics
 * (collectDefaultMetrics: CPU, memory, handles, GC, event-loop lag as nodejs_eventloop_lag_*) describe the process,
 * not a cairn: they are collected once per process into one shared registry (processRegistry), whose text each
 * cairn's scrape puts before its own — so a cairn starts no GC observer nor event-loop histogram of its own, and
 * has none to release when it stops.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createEngineMetrics, type EngineMetrics, type EngineMetricsOptions } from './engine-metrics.js';
import { createGraphqlMetrics, type GraphqlMetrics } from './graphql-metrics.js';
import { createKubeMetrics, type KubeMetrics } from './kube-metrics.js';

export interface Metrics {
  /** The cairn's own metrics (the process metrics are in processRegistry()). */
  registry: Registry;
  graphql: GraphqlMetrics;
  kube: KubeMetrics;
  engine: EngineMetrics;
  /** The Prometheus text exposition of every metric now (the process metrics first, unless turned off). */
  scrape(): Promise<string>;
  /** Its content type (text/plain; version=0.0.4). */
  readonly contentType: string;
}

export interface MetricsOptions extends EngineMetricsOptions {
  /** Node's process metrics (default true). */
  processMetrics?: boolean;
}

let processMetrics: Registry | null = null;

/** The registry of Node's process metrics, made (and its collectors started) on first use, once per process. */
export function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, eventLoopMonitoringPrecision: 20 });
  }
  return processMetrics;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const shared = options.processMetrics !== false ? processRegistry() : null;
  return {
    registry,
    graphql: createGraphqlMetrics(registry),
    kube: createKubeMetrics(registry),
    engine: createEngineMetrics(registry, options),
    scrape: async () => (shared ? `${await shared.metrics()}\n` : '') + (await registry.metrics()),
    contentType: registry.contentType,
  };
}
