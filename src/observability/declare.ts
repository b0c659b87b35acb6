/**
 * The one way cairn declares its Prometheus metrics: each in its cairn's own registry (never prom-client's global
 * one), with its name, help and label names — so the GraphQL, Kubernetes and release metrics read alike — plus the
 * two patterns they share: a gauge of things open now, and a duration in seconds.
 */
import { Counter, Gauge, Histogram, type LabelValues, type Registry } from 'prom-client';

export interface MetricDeclarations {
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
  /** `collect` runs at every scrape, before the gauge is read (to set it from elsewhere). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: (this: Gauge<L>) => void): Gauge<L>;
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L>;
}

/** Declares metrics in `registry`. */
export function metricsIn(registry: Registry): MetricDeclarations {
  const registers = [registry];
  return {
    counter: (name, help, labelNames) => new Counter({ name, help, labelNames, registers }),
    gauge: (name, help, labelNames, collect) => new Gauge({ name, help, labelNames, registers, ...(collect ? { collect } : {}) }),
    histogram: (name, help, labelNames, buckets) => new Histogram({ name, help, labelNames, buckets, registers }),
  };
}

/** Counts one open thing (a subscription, a watch) under `labels`; the answer un-counts it — once, however often it is called. */
export function countOpen<L extends string>(gauge: Gauge<L>, labels: LabelValues<L>): () => void {
  gauge.inc(labels);
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    gauge.dec(labels);
  };
}

/** The seconds since `started` (a `performance.now()`). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
