/** Release metrics from the events the engine stores: batch durations, instance failures by reason (bounded). */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ReleaseOrderRow } from '../../src/db/release-tables.js';
import { createEngineMetrics } from '../../src/observability/engine-metrics.js';
import { boundedLabels, OTHER } from '../../src/observability/labels.js';
import { sample } from './release-cairn.js';

const order = (over: Partial<ReleaseOrderRow> = {}): ReleaseOrderRow =>
  ({
    id: 1,
    state: 'DEPLOYING',
    direction: 'FORWARD',
    cursor: { batchesDone: 0, prepared: true, batchStartedAt: 1_000, recreate: [], retryAt: null },
    ...over,
  }) as ReleaseOrderRow;

describe('release metrics', () => {
  it('observe a batch from its start to the BATCH_DONE the engine stored, by direction', async () => {
    const registry = new Registry();
    const { observer } = createEngineMetrics(registry);
    observer.applied(order(), { type: 'BATCH_DONE' }, [], new Date(31_000));
    observer.applied(order({ direction: 'BACKWARD' }), { type: 'BATCH_DONE' }, [], new Date(3_000));
    // A batch without a start (nothing to measure) and other events are not batches.
    observer.applied(order({ cursor: { batchesDone: 1, prepared: true, batchStartedAt: null, recreate: [], retryAt: null } }), { type: 'BATCH_DONE' }, [], new Date(5_000));
    observer.applied(order(), { type: 'RESUME' }, [], new Date(5_000));
    const text = await registry.metrics();
    expect(sample(text, 'cairn_release_batch_duration_seconds_count', { direction: 'FORWARD' })).toBe(1);
    expect(sample(text, 'cairn_release_batch_duration_seconds_sum', { direction: 'FORWARD' })).toBe(30);
    expect(sample(text, 'cairn_release_batch_duration_seconds_sum', { direction: 'BACKWARD' })).toBe(2);
  });

  it('count the failures of the RECORD_FAILURES effects by reason', async () => {
    const registry = new Registry();
    const { observer } = createEngineMetrics(registry);
    const failures = [
      { name: 'web-1', reason: 'CrashLoopBackOff', message: 'back-off restarting' },
      { name: 'web-2', reason: 'CrashLoopBackOff', message: 'back-off restarting' },
      { name: 'web-3', reason: 'ImagePullBackOff', message: 'no such tag' },
    ];
    observer.applied(order(), { type: 'INSTANCES_FAILED', failures }, [{ type: 'RECORD_TRANSITION', from: 'DEPLOYING', to: 'FAILED', reason: 'x' }, { type: 'RECORD_FAILURES', failures }], new Date());
    const text = await registry.metrics();
    expect(sample(text, 'cairn_release_instance_failures_total', { reason: 'CrashLoopBackOff' })).toBe(2);
    expect(sample(text, 'cairn_release_instance_failures_total', { reason: 'ImagePullBackOff' })).toBe(1);
  });

  it('keep label values from outside bounded: the first ones as they are, later ones as `other`', () => {
    const labels = boundedLabels(2, 5);
    expect([labels.of('a'), labels.of('b'), labels.of('c'), labels.of('a'), labels.of('abcdefgh')]).toEqual(['a', 'b', OTHER, 'a', OTHER]);
    expect(boundedLabels(5, 5).of('abcdefgh')).toBe('abcde');
  });
});
