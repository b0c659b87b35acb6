/**
 * Spans of the release engine: one per pass over an order (`reconcile order`) and one per step of a pass
 * (`release step <op>`), whose calls to the cluster are their children.
 *
 * A pass runs long after the request that asked for it, woken by informer events and timers. So that one release
 * reads as one trace, each order remembers the span that last woke it from a request (createReleaseOrder, a resume,
 * a retry, a rollback) and its passes are that span's children while the order moves (DEPLOYING, ROLLING_BACK): the
 * origin is forgotten when the engine stores a transition to a resting state (PAUSED, FAILED) or is done with the
 * order (a finished order's last pass, which prunes, stays in the release's trace), and after
 * MAX_PASSES_PER_ORIGIN passes later ones only link to it — so a trace stays bounded however long an order rests.
 * A pass with no such origin (after a restart, or once the order rests) is a root span.
 *
 * A pass that calls no cluster, stores no event and ends idle (an informer event about a resting order's pods,
 * say) makes no span: the pass span is started on the first step, call to a cluster or stored event, else at its
 * end unless it ended IDLE (backdated to when the pass began).
 */
import { context, createContextKey, ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Link, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { EngineObserver } from '../engine/engine-observer.js';
import type { OrderStateName } from '../db/release-tables.js';

/** Marks the engine's own async context: a wake from inside a pass is not a new origin. */
const IN_ENGINE = createContextKey('cairn.engine');
/** Inside a pass: starts (once) and answers the pass's span. */
const PASS_SPAN = createContextKey('cairn.engine.pass');

/** Passes that are children of one origin; later ones are root spans linked to it. */
export const MAX_PASSES_PER_ORIGIN = 100;
/** The states in which an order rests until a request moves it again: its passes leave the origin's trace. */
const RESTING: ReadonlySet<OrderStateName> = new Set(['PAUSED', 'FAILED']);

/**
 * The context a call made now should be the child of: inside a pass, the pass's span (started now if it was not
 * yet); elsewhere the active context as it is. Used by the steps and by the spans of calls to a cluster.
 */
export function engineParent(active: Context = context.active()): Context {
  const open = active.getValue(PASS_SPAN) as (() => Span) | undefined;
  return open ? trace.setSpan(active, open()) : active;
}

function fail(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
}

function finish(span: Span, result: unknown): void {
  const r = result as { next?: string; ok?: boolean; error?: { kind?: string; message?: string } };
  if (typeof r?.next === 'string') span.setAttribute('cairn.reconcile.next', r.next);
  if (r?.ok === false) span.setStatus({ code: SpanStatusCode.ERROR, message: r.error?.message ?? r.error?.kind ?? 'failed' });
}

export function engineSpans(tracer: Tracer): Required<Pick<EngineObserver, 'woken' | 'pass' | 'step' | 'applied' | 'done'>> {
  /** order id → the span of the request that last set it moving, and how many passes were its children. */
  const origins = new Map<number, { span: SpanContext; passes: number }>();

  const parentOf = (orderId: number): { parent: Context; links: Link[] } => {
    const origin = origins.get(orderId);
    if (!origin) return { parent: ROOT_CONTEXT, links: [] };
    origin.passes += 1;
    if (origin.passes > MAX_PASSES_PER_ORIGIN) return { parent: ROOT_CONTEXT, links: [{ context: origin.span }] };
    return { parent: trace.setSpanContext(ROOT_CONTEXT, origin.span), links: [] };
  };

  return {
    woken(orderId) {
      const active = context.active();
      if (active.getValue(IN_ENGINE)) return;
      const span = trace.getSpanContext(active);
      if (span && trace.isSpanContextValid(span)) origins.set(orderId, { span, passes: 0 });
    },
    async pass(orderId, run) {
      const { parent, links } = parentOf(orderId);
      const startTime = new Date();
      let span: Span | null = null;
      const open = () => (span ??= tracer.startSpan('reconcile order', { attributes: { 'cairn.order.id': orderId }, links, startTime }, parent));
      try {
        const result = await context.with(parent.setValue(IN_ENGINE, true).setValue(PASS_SPAN, open), run);
        if ((result as { next?: string })?.next !== 'IDLE') open();
        if (span) finish(span, result);
        return result;
      } catch (error) {
        fail(open(), error);
        throw error;
      } finally {
        (span as Span | null)?.end();
      }
    },
    async step(orderId, op, description, run) {
      const parent = engineParent();
      const span = tracer.startSpan(`release step ${op}`, { attributes: { 'cairn.order.id': orderId, 'cairn.step': description } }, parent);
      try {
        // Its calls to the cluster are its children (not the pass's: the pass span is taken out of its context).
        const result = await context.with(trace.setSpan(parent, span).deleteValue(PASS_SPAN), run);
        finish(span, result);
        return result;
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    applied(before, _event, effects) {
      engineParent(); // a pass that stores an event has a span
      for (const effect of effects) if (effect.type === 'RECORD_TRANSITION' && RESTING.has(effect.to)) origins.delete(before.id);
    },
    done(orderId) {
      origins.delete(orderId);
    },
  };
}
