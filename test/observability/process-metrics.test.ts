/**
 * Node's process metrics are collected once per process (one GC observer, one event-loop histogram), whatever
 * the number of cairns: each cairn's scrape shows them, and a cairn holds none of their collectors to release.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics, processRegistry } from '../../src/observability/metrics.js';
import { sample } from './release-cairn.js';

describe('process metrics', () => {
  it('are one registry for the whole process, shown once in every cairn’s scrape', async () => {
    const shared = processRegistry();
    const names = (await shared.getMetricsAsJSON()).map((m) => m.name);
    const [a, b] = [createMetrics(), createMetrics()];
    // No cairn added a collector: the process registry has exactly the metrics it had.
    expect(processRegistry()).toBe(shared);
    expect((await shared.getMetricsAsJSON()).map((m) => m.name)).toEqual(names);
    expect(names).toContain('nodejs_gc_duration_seconds');
    expect(names).toContain('nodejs_eventloop_lag_seconds');
    for (const metrics of [a, b]) {
      const text = await metrics.scrape();
      expect(text.match(/^# TYPE process_resident_memory_bytes /gm)).toHaveLength(1);
      expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(text).toContain('# TYPE cairn_graphql_operations_total counter');
      // A cairn's own registry holds none of them (nothing per cairn to stop).
      expect((await metrics.registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('nodejs_') || n.startsWith('process_'))).toEqual([]);
    }
  });

  it('are left out when a cairn asks for none', async () => {
    const text = await createMetrics({ processMetrics: false }).scrape();
    expect(text).not.toContain('process_resident_memory_bytes');
    expect(text).toContain('cairn_release_orders');
  });
});
