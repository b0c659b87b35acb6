/**
 * The engine's spans stay bounded: passes are children of the request that set an order moving only while it
 * moves (and for at most MAX_PASSES_PER_ORIGIN passes, then linked); an idle pass that did nothing has no span.
 */
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseOrderRow } from '../../src/db/release-tables.js';
import { engineSpans, MAX_PASSES_PER_ORIGIN } from '../../src/observability/engine-tracing.js';
import { kubeCallSpans } from '../../src/observability/kube-tracing.js';
import { createTracing } from '../../src/observability/tracing.js';

const exporter = new InMemorySpanExporter();
const { tracer } = createTracing({ exporter, batch: false });
beforeEach(() => exporter.reset());

const IDLE = { next: 'IDLE', at: null } as const;
const AGAIN = { next: 'AGAIN' } as const;
const spans = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const order = { id: 7, state: 'DEPLOYING' } as ReleaseOrderRow;

/** Wakes order 7 inside a request span (as a mutation does); answers that span. */
function wakeFromRequest(engine: ReturnType<typeof engineSpans>) {
  const request = tracer.startSpan('mutation');
  context.with(trace.setSpan(context.active(), request), () => engine.woken(7));
  request.end();
  return request.spanContext();
}

describe('engine spans', () => {
  it('make no span for a pass that ends idle without calling a cluster or storing an event', async () => {
    const engine = engineSpans(tracer);
    await engine.pass(7, async () => IDLE);
    expect(spans('reconcile order')).toHaveLength(0);

    await engine.pass(7, async () => AGAIN);
    await engine.pass(7, async () => (engine.applied(order, { type: 'RESUME' } as never, [], new Date()), IDLE));
    expect(spans('reconcile order').map((s) => s.attributes['cairn.reconcile.next'])).toEqual(['AGAIN', 'IDLE']);
  });

  it('put the calls to a cluster under the step that makes them, and the steps (and calls outside one) under the pass', async () => {
    const engine = engineSpans(tracer);
    const call = kubeCallSpans(tracer);
    const started = Date.now();
    await engine.pass(7, async () => {
      await engine.step(7, 'scaleRevision', 'scale revision 1 to 2', async () => call({ cluster: 'c', verb: 'patch', kind: 'Deployment' } as never)({ status: 200 } as never));
      call({ cluster: 'c', verb: 'get', kind: 'Pod' } as never)({ status: 200 } as never);
      return IDLE;
    });
    const [pass] = spans('reconcile order');
    const [step] = spans('release step scaleRevision');
    expect(pass!.startTime[0] * 1000 + pass!.startTime[1] / 1e6).toBeGreaterThanOrEqual(started - 1);
    expect(parentOf(step!)).toBe(pass!.spanContext().spanId);
    expect(parentOf(spans('kube patch Deployment')[0]!)).toBe(step!.spanContext().spanId);
    expect(parentOf(spans('kube get Pod')[0]!)).toBe(pass!.spanContext().spanId);
  });

  it('keep an order’s passes under the request that set it moving only until it rests (PAUSED, FAILED, finished)', async () => {
    const engine = engineSpans(tracer);
    const request = wakeFromRequest(engine);
    await engine.pass(7, async () => AGAIN);
    await engine.pass(7, async () => {
      engine.applied(order, { type: 'BATCH_DONE' } as never, [{ type: 'RECORD_TRANSITION', from: 'DEPLOYING', to: 'PAUSED', reason: 'paused' }], new Date());
      return IDLE;
    });
    await engine.pass(7, async () => AGAIN); // a pod event about the paused order
    const [first, pausing, resting] = spans('reconcile order');
    expect([first, pausing].map((s) => parentOf(s!))).toEqual([request.spanId, request.spanId]);
    expect(parentOf(resting!)).toBeUndefined();
    expect(resting!.spanContext().traceId).not.toBe(request.traceId);

    // Resumed by a request: its passes join that request's trace.
    const resume = wakeFromRequest(engine);
    await engine.pass(7, async () => AGAIN);
    expect(parentOf(spans('reconcile order')[3]!)).toBe(resume.spanId);
  });

  it(`link, rather than nest, the passes after the first ${MAX_PASSES_PER_ORIGIN} under one request`, async () => {
    const engine = engineSpans(tracer);
    const request = wakeFromRequest(engine);
    for (let i = 0; i <= MAX_PASSES_PER_ORIGIN; i++) await engine.pass(7, async () => AGAIN);
    const passes = spans('reconcile order');
    expect(passes.filter((p) => parentOf(p) === request.spanId)).toHaveLength(MAX_PASSES_PER_ORIGIN);
    const last = passes.at(-1)!;
    expect(parentOf(last)).toBeUndefined();
    expect(last.links.map((l) => l.context.spanId)).toEqual([request.spanId]);
  });
});
