/**
 * Spans of the release engine: one per pass over an order (`reconcile order`) and one per step of a pass
 * (`release step <op>`), whose calls to the cluster are their children.
 *
 * A pass runs long after the request that asked for it, woken by informer events and timers. So that one release
 * reads as one trace, each order remembers the span that last woke it from a request (createReleaseOrder, a resume,
 * a retry, a rollback) and its passes are that span's children until the order is done; a pass woken by the engine
 * itself (a timer it set, an informer event) keeps the order's trace. Without such a span a pass is a root span.
 */
import { context, createContextKey, ROOT_CONTEXT, SpanStatusCode, trace, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { EngineObserver } from '../engine/engine-observer.js';

/** Marks the engine's own async context: a wake from inside a pass is not a new origin. */
const IN_ENGINE = createContextKey('cairn.engine');

export function engineSpans(tracer: Tracer): Required<Pick<EngineObserver, 'woken' | 'pass' | 'step' | 'done'>> {
  /** order id → the span of the request that last woke it. */
  const origins = new Map<number, SpanContext>();

  const traced = async <T>(name: string, attributes: Record<string, string | number>, parent: ReturnType<typeof context.active>, run: () => Promise<T>): Promise<T> => {
    const span = tracer.startSpan(name, { attributes }, parent);
    try {
      const result = await context.with(trace.setSpan(parent, span).setValue(IN_ENGINE, true), run);
      const r = result as { next?: string; ok?: boolean; error?: { kind?: string; message?: string } };
      if (typeof r?.next === 'string') span.setAttribute('cairn.reconcile.next', r.next);
      if (r?.ok === false) span.setStatus({ code: SpanStatusCode.ERROR, message: r.error?.message ?? r.error?.kind ?? 'failed' });
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
      throw error;
    } finally {
      span.end();
    }
  };

  return {
    woken(orderId) {
      const active = context.active();
      if (active.getValue(IN_ENGINE)) return;
      const span = trace.getSpanContext(active);
      if (span && trace.isSpanContextValid(span)) origins.set(orderId, span);
    },
    pass(orderId, run) {
      const origin = origins.get(orderId);
      const parent = origin ? trace.setSpanContext(ROOT_CONTEXT, origin) : ROOT_CONTEXT;
      return traced('reconcile order', { 'cairn.order.id': orderId }, parent, run);
    },
    step(orderId, op, description, run) {
      return traced(`release step ${op}`, { 'cairn.order.id': orderId, 'cairn.step': description }, context.active(), run);
    },
    done(orderId) {
      origins.delete(orderId);
    },
  };
}
