/** A subscription's span covers setting up its stream; the stream is then read in the root context, outside any span. */
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createSchema, createYoga } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGraphqlMetrics } from '../../src/observability/graphql-metrics.js';
import { detached, useGraphqlTracing } from '../../src/observability/graphql-tracing.js';
import { createTracing } from '../../src/observability/tracing.js';
import { sample } from './release-cairn.js';

const exporter = new InMemorySpanExporter();
const { tracer } = createTracing({ exporter, batch: false });

describe('a traced subscription', () => {
  it('sets up in its span, then runs its stream with no active span (and is still counted as it ends)', async () => {
    /** The span active in the subscribe resolver, and at each value its stream makes. */
    const seen: { setup?: string; values: (string | undefined)[] } = { values: [] };
    const active = () => trace.getActiveSpan()?.spanContext().spanId;
    async function* ticks() {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        seen.values.push(active());
        yield { tick: i };
      }
    }
    const registry = new Registry();
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { hello: String } type Subscription { tick: Int }',
        resolvers: { Subscription: { tick: { subscribe: async () => (await Promise.resolve(), (seen.setup = active()), ticks()), resolve: (v: { tick: number }) => v.tick } } },
      }),
      plugins: [createGraphqlMetrics(registry).plugin, useGraphqlTracing(tracer)],
      logging: false,
    });
    const res = await yoga.fetch('http://cairn/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription Ticks { tick }' }),
    });
    const text = await res.text();
    expect(text.match(/"tick":\d/g)).toEqual(['"tick":0', '"tick":1', '"tick":2']);

    const span = exporter.getFinishedSpans().find((s) => s.name === 'subscription Ticks');
    expect(span).toBeDefined();
    expect(seen.setup).toBe(span!.spanContext().spanId);
    expect(seen.values).toEqual([undefined, undefined, undefined]);
    expect(sample(await registry.metrics(), 'cairn_graphql_subscriptions_open', { transport: 'sse' })).toBe(0);
    expect(sample(await registry.metrics(), 'cairn_graphql_operations_total', { operation: 'Ticks', outcome: 'success' })).toBe(1);
  });

  it('reads a detached stream outside the span its reader is in', async () => {
    const seen: (string | undefined)[] = [];
    async function* values() {
      for (let i = 0; i < 2; i++) {
        seen.push(trace.getActiveSpan()?.spanContext().spanId);
        yield i;
      }
    }
    const span = tracer.startSpan('reader');
    const stream = detached(values());
    await context.with(trace.setSpan(context.active(), span), async () => {
      expect(await stream.next()).toEqual({ done: false, value: 0 });
      expect(await stream.next()).toEqual({ done: false, value: 1 });
      expect(await stream.return!(undefined)).toEqual({ done: true, value: undefined });
    });
    span.end();
    expect(seen).toEqual([undefined, undefined]);
    // Without detaching, the same reader's span is active in the stream.
    const direct = values();
    await context.with(trace.setSpan(context.active(), span), () => direct.next());
    expect(seen[2]).toBe(span.spanContext().spanId);
  });
});
