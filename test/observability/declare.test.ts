/** The shared metric declarations: metrics land in the given registry only, and a gauge of open things un-counts each once. */
import { Registry, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { countOpen, metricsIn } from '../../src/observability/declare.js';

describe('metricsIn', () => {
  it('declares each metric, with its help and labels, in the given registry and nowhere else', async () => {
    const registry = new Registry();
    const declare = metricsIn(registry);
    declare.counter('test_things_total', 'Things.', ['kind']).inc({ kind: 'a' });
    declare.histogram('test_thing_seconds', 'How long.', ['kind'], [1, 2]).observe({ kind: 'a' }, 1.5);
    declare.gauge('test_collected', 'Set at scrape time.', ['kind'], function collect() {
      this.set({ kind: 'b' }, 7);
    });
    const text = await registry.metrics();
    expect(text).toContain('# HELP test_things_total Things.\n# TYPE test_things_total counter\ntest_things_total{kind="a"} 1');
    expect(text).toContain('test_thing_seconds_bucket{le="2",kind="a"} 1');
    expect(text).toContain('test_collected{kind="b"} 7');
    expect(globalRegistry.getSingleMetric('test_things_total')).toBeUndefined();
  });
});

describe('countOpen', () => {
  it('counts one open thing, and un-counts it once however often it is closed', async () => {
    const registry = new Registry();
    const open = metricsIn(registry).gauge('test_open', 'Open now.', ['transport']);
    const value = async () => (await open.get()).values.find((v) => v.labels.transport === 'sse')?.value;
    const first = countOpen(open, { transport: 'sse' });
    const second = countOpen(open, { transport: 'sse' });
    expect(await value()).toBe(2);
    first();
    first();
    expect(await value()).toBe(1);
    second();
    expect(await value()).toBe(0);
  });
});
