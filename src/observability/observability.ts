/**
 * Metrics and traces of one cairn, and the hooks that feed them: the observer of every call to a cluster, of the
 * informers, of the release engine, and the GraphQL plugins (the /metrics route among them). createCairn builds one
 * from the environment unless given one.
 *
 *   const observability = createObservability({ tracing: tracingFromEnv() });
 *   createClusterRegistry({ …, observe: observability.kube });
 */
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import type { EngineObserver } from '../engine/engine-observer.js';
import type { KubeCallObserver } from '../kube/kube-request.js';
import type { InformersOptions } from '../live/informers.js';
import { engineSpans } from './engine-tracing.js';
import { useGraphqlTracing } from './graphql-tracing.js';
import { kubeCallSpans } from './kube-tracing.js';
import { createMetrics, type Metrics, type MetricsOptions } from './metrics.js';
import { useMetricsRoute, type MetricsRouteOptions } from './metrics-route.js';
import { tracingFromEnv, type Tracing } from './tracing.js';

export interface Observability {
  metrics: Metrics;
  /** Null when tracing is off (then no span is ever made). */
  tracing: Tracing | null;
  /** Every API call to a cluster. */
  kube: KubeCallObserver;
  /** Every informer's lists and watches. */
  informers: NonNullable<InformersOptions['observe']>;
  /** Runs a function in the root context (no trace): the informers' loops, which belong to no request. */
  detach: NonNullable<InformersOptions['detach']>;
  /** The release engine's passes, steps and stored events. */
  engine: EngineObserver;
  /** The GraphQL plugins: GET /metrics (who may scrape: see metrics-route.ts), the operation metrics and spans. */
  plugins(route?: MetricsRouteOptions): Plugin[];
  /** Exports the spans ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and stops tracing. */
  shutdown(): Promise<void>;
}

export interface ObservabilityOptions extends MetricsOptions {
  /** Tracing, or null for none (default: as the environment asks, see tracing.ts). */
  tracing?: Tracing | null;
}

export function createObservability(options: ObservabilityOptions = {}): Observability {
  const metrics = createMetrics(options);
  const tracing = options.tracing === undefined ? tracingFromEnv() : options.tracing;
  const kubeSpans = tracing ? kubeCallSpans(tracing.tracer) : null;
  const kube: KubeCallObserver = kubeSpans
    ? (request) => {
        const counted = metrics.kube.call(request);
        const traced = kubeSpans(request);
        return (end) => {
          counted(end);
          traced(end);
        };
      }
    : metrics.kube.call;
  const spans = tracing ? engineSpans(tracing.tracer) : null;
  const counted = metrics.engine.observer.applied;
  const engine: EngineObserver = spans
    ? { ...spans, applied: (...event) => (spans.applied(...event), counted(...event)) }
    : metrics.engine.observer;
  return {
    metrics,
    tracing,
    kube,
    informers: metrics.kube.informer,
    detach: (fn) => context.with(ROOT_CONTEXT, fn),
    engine,
    plugins: (route) => [useMetricsRoute(metrics, route), metrics.graphql.plugin, ...(tracing ? [useGraphqlTracing(tracing.tracer)] : [])],
    flush: async () => tracing?.flush(),
    shutdown: async () => tracing?.shutdown(),
  };
}
