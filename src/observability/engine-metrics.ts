/**
 * Release metrics: orders by state (counted in the database, at most once per `ordersCacheMs`: one GROUP BY on the
 * `release_orders_state` index, its result kept for the scrapes that follow), how long each batch took, and the
 * instance failures the engine recorded, by reason. Observed from the events the engine stores, never from inside
 * its rules.
 */
import { count } from 'drizzle-orm';
import type { Registry } from 'prom-client';
import { metricsIn } from './declare.js';
import type { Database } from '../db/database.js';
import { ORDER_STATES } from '../db/release-tables.js';
import type { EngineObserver } from '../engine/engine-observer.js';
import { boundedLabels } from './labels.js';

export interface EngineMetrics {
  /** Told of every event the engine stored (its `applied`). */
  observer: Required<Pick<EngineObserver, 'applied'>>;
  /** Where the orders are counted (one GROUP BY over release_orders, read at a scrape and kept for `ordersCacheMs`). */
  countOrdersIn(database: Database): void;
}

export interface EngineMetricsOptions {
  /** How long a count of the orders by state is kept for later scrapes (default 10 s; 0: counted at every scrape). */
  ordersCacheMs?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

export const ORDERS_CACHE_MS = 10_000;

/**
 * Runs `count` at most once per `ms`: later calls within that time answer its last result (an async count: the
 * same promise, so scrapes that meet share one query). A promise that rejects is not kept: the next call counts again.
 */
export function cachedFor<T>(ms: number, now: () => number, count: () => T): () => T {
  let last: { at: number; value: T } | null = null;
  return () => {
    const at = now();
    if (last === null || at - last.at >= ms) {
      const entry = { at, value: count() };
      last = entry;
      if (entry.value instanceof Promise)
        entry.value.catch(() => {
          if (last === entry) last = null;
        });
    }
    return last.value;
  };
}

export function createEngineMetrics(registry: Registry, options: EngineMetricsOptions = {}): EngineMetrics {
  const declare = metricsIn(registry);
  let counts: (() => Promise<Map<string, number>>) | null = null;
  declare.gauge(
    'cairn_release_orders',
    `Release orders by state, counted in the database at most once per ${(options.ordersCacheMs ?? ORDERS_CACHE_MS) / 1000} s.`,
    ['state'],
    // Async: prom-client awaits a collect that returns a promise before it reads the gauge.
    async function collect() {
      if (!counts) return;
      const now = await counts();
      for (const state of ORDER_STATES) this.set({ state }, now.get(state) ?? 0);
    },
  );
  const batches = declare.histogram(
    'cairn_release_batch_duration_seconds',
    'How long a release batch took, from its start (or its resume after a pause, or its retry after a failure) until all its instances were Ready, by direction.',
    ['direction'],
    [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600],
  );
  const failures = declare.counter(
    'cairn_release_instance_failures_total',
    'Instance failures the release engine recorded (an order failed on them), by reason, as InstanceFailure.reason (IMAGE_PULL, CRASH_LOOP, DEADLINE_EXCEEDED, CLUSTER_REFUSED …).',
    ['reason'],
  );
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
      const { releaseOrders } = database.t;
      const query = async () =>
        new Map((await database.read((db) => db.select({ state: releaseOrders.state, n: count() }).from(releaseOrders).groupBy(releaseOrders.state))).map((r) => [r.state, r.n]));
      counts = cachedFor(options.ordersCacheMs ?? ORDERS_CACHE_MS, options.now ?? Date.now, query);
    },
  };
}
