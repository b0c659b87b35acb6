/**
 * cairn's metrics: one prom-client Registry per cairn (several may run in one process: tests, benches), never the
 * global default registry. Holds the GraphQL, Kubernetes and release metrics and Node's process metrics
 * (collectDefaultMetrics: CPU, memory, handles, GC, event-loop lag as nodejs_eventloop_lag_*).
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createEngineMetrics, type EngineMetrics } from './engine-metrics.js';
import { createGraphqlMetrics, type GraphqlMetrics } from './graphql-metrics.js';
import { createKubeMetrics, type KubeMetrics } from './kube-metrics.js';

export interface Metrics {
  registry: Registry;
  graphql: GraphqlMetrics;
  kube: KubeMetrics;
  engine: EngineMetrics;
  /** The Prometheus text exposition of every metric now. */
  scrape(): Promise<string>;
  /** Its content type (text/plain; version=0.0.4). */
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Node's process metrics (default true). */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  return {
    registry,
    graphql: createGraphqlMetrics(registry),
    kube: createKubeMetrics(registry),
    engine: createEngineMetrics(registry),
    scrape: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
