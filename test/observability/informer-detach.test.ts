/**
 * The informers run outside the trace of whoever started them, through the `detach` hook observability supplies:
 * src/live/ itself knows nothing of OpenTelemetry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { startInformer, type InformerOptions } from '../../src/live/informer.js';
import { createObservability } from '../../src/observability/observability.js';
import { createTracing } from '../../src/observability/tracing.js';

const { tracer } = createTracing({ exporter: new InMemorySpanExporter(), batch: false });

/** Starts a pods informer inside a span (against nothing listening); the span active when it sent its first list. */
async function activeAtFirstList(options: InformerOptions): Promise<string | undefined> {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'none', server: 'http://127.0.0.1:9' }],
    users: [{ name: 'u', token: 'not-a-secret' }],
    contexts: [{ name: 'c', cluster: 'none', user: 'u' }],
    currentContext: 'c',
  });
  const span = tracer.startSpan('request');
  const listed = new Promise<string | undefined>((resolve) => {
    const informer = context.with(trace.setSpan(context.active(), span), () =>
      startInformer(() => kc, 'pods', null, {
        ...options,
        onRequest: () => {
          resolve(trace.getActiveSpan()?.spanContext().spanId);
          queueMicrotask(() => informer.stop());
        },
      }),
    );
  });
  const seen = await listed;
  span.end();
  return seen;
}

describe('informers and traces', () => {
  it('run outside the caller’s trace with the detach hook observability supplies (and inside it without)', async () => {
    const observability = createObservability({ tracing: null, processMetrics: false });
    expect(await activeAtFirstList({ detach: observability.detach })).toBeUndefined();
    expect(await activeAtFirstList({})).toBeDefined();
  });

  it('src/live/ does not import OpenTelemetry', () => {
    const dir = new URL('../../src/live/', import.meta.url);
    const importing = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => readFileSync(new URL(f, dir), 'utf8').includes('@opentelemetry/'));
    expect(importing).toEqual([]);
  });
});
