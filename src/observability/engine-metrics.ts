/**
 * Release metrics: orders by state (counted in the database at scrape time), how long each batch took, and the
 * instance failures the engine recorded, by reason. Observed from the events the engine stores, never from
 * inside its rules.
 */
import { count } from 'drizzle-orm';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { ORDER_STATES, releaseOrders } from '../db/release-tables.js';
import type { EngineObserver } from '../engine/engine-observer.js';
import { boundedLabels } from './labels.js';

export interface EngineMetrics {
  /** Told of every event the engine stored (its `applied`). */
  observer: Required<Pick<EngineObserver, 'applied'>>;
  /** Where the orders are counted at scrape time (one GROUP BY over release_orders). */
  countOrdersIn(db: Db): void;
}

export function createEngineMetrics(registry: Registry): EngineMetrics {
  const registers = [registry];
  let db: Db | null = null;
  new Gauge({
    name: 'cairn_release_orders',
    help: 'Release orders by state, counted in the database when scraped.',
    labelNames: ['state'] as const,
    registers,
    collect() {
      if (!db) return;
      const counts = new Map(db.select({ state: releaseOrders.state, n: count() }).from(releaseOrders).groupBy(releaseOrders.state).all().map((r) => [r.state, r.n]));
      for (const state of ORDER_STATES) this.set({ state }, counts.get(state) ?? 0);
    },
  });
  const batches = new Histogram({
    name: 'cairn_release_batch_duration_seconds',
    help: 'How long a release batch took, from its start (or its resume after a pause) until all its instances were Ready, by direction.',
    labelNames: ['direction'] as const,
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers,
  });
  const failures = new Counter({
    name: 'cairn_release_instance_failures_total',
    help: 'Instance failures the release engine recorded (an order failed on them), by reason (CrashLoopBackOff, ImagePullBackOff, DEADLINE_EXCEEDED, CLUSTER_REFUSED …).',
    labelNames: ['reason'] as const,
    registers,
  });
  const reasons = boundedLabels(50);
  return {
    observer: {
      applied(before, event, effects, now) {
        const started = before.cursor.batchStartedAt;
        if (event.type === 'BATCH_DONE' && started !== null) {
          batches.observe({ direction: before.direction }, Math.max(0, now.getTime() - started) / 1000);
        }
        for (const effect of effects) {
          if (effect.type !== 'RECORD_FAILURES') continue;
          for (const f of effect.failures) failures.inc({ reason: reasons.of(f.reason) });
        }
      },
    },
    countOrdersIn(database) {
      db = database;
    },
  };
}
