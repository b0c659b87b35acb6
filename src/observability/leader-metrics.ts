/**
 * The engine leadership as metrics, read at each scrape: `cairn_engine_leader` (1 while this process runs the
 * release engine, else 0) and `cairn_engine_lease_epoch` (the epoch it runs under; when following, the last
 * epoch it saw; 0 before any). Across the replicas, the sum of cairn_engine_leader should be 1.
 */
import type { Registry } from 'prom-client';
import { metricsIn } from './declare.js';

export interface LeaderStatusSource {
  status(): { leader: boolean; epoch: number | null };
}

export function declareLeaderMetrics(registry: Registry, leadership: LeaderStatusSource): void {
  const declare = metricsIn(registry);
  // One cairn per registry; a caller's observability shared by a second cairn gets the newest one's.
  for (const name of ['cairn_engine_leader', 'cairn_engine_lease_epoch']) registry.removeSingleMetric(name);
  declare.gauge('cairn_engine_leader', 'Whether this process holds the engine lease and runs the release engine (1) or follows (0).', [], function collect() {
    this.set(leadership.status().leader ? 1 : 0);
  });
  declare.gauge('cairn_engine_lease_epoch', 'The engine lease epoch this process runs under; when following, the last epoch it saw (0 before any).', [], function collect() {
    this.set(leadership.status().epoch ?? 0);
  });
}
