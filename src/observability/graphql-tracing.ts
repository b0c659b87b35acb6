/**
 * A span for each GraphQL operation (`<type> <name>`, e.g. `mutation CreateRelease`; `mutation` alone when anonymous, its top-level fields in `cairn.graphql.fields`), active while it executes, so
 * that the engine passes it wakes and the calls to clusters it makes are its children. A request carrying a W3C
 * `traceparent` continues the caller's trace. A subscription's span covers setting up its stream, not its life: its
 * stream is then read in the root context, so that what it does later (reads, calls to clusters) is not made the
 * child of a span that has ended.
 * Written on @opentelemetry/api alone (the envelop plugin for OpenTelemetry needs the SDK's old major version).
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context as OtelContext, type Span, type Tracer } from '@opentelemetry/api';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { operationOf } from './operation-name.js';

const headerGetter = {
  keys: (headers: Headers) => [...headers.keys()],
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
};

/** The trace the request continues: the active one (an outer span), else the request's traceparent, else a new one. */
function parentOf(contextValue: unknown): OtelContext {
  const active = context.active();
  if (trace.getSpan(active)) return active;
  const headers = (contextValue as { request?: { headers?: Headers } } | undefined)?.request?.headers;
  return headers instanceof Headers ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : active;
}

function start(tracer: Tracer, args: { document: Parameters<typeof operationOf>[0]; operationName?: string | null; contextValue?: unknown }): { span: Span; ctx: OtelContext } {
  const op = operationOf(args.document, args.operationName);
  const parent = parentOf(args.contextValue);
  const span = tracer.startSpan(
    op.name === 'anonymous' ? op.type : `${op.type} ${op.name}`,
    { kind: SpanKind.SERVER, attributes: { 'graphql.operation.name': op.name, 'graphql.operation.type': op.type, 'cairn.graphql.fields': op.fields.join(',') } },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}

function end(span: Span, result: unknown): void {
  const errors = (result as ExecutionResult | undefined)?.errors;
  if (errors?.length) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errors[0]!.message });
    span.setAttribute('graphql.errors', errors.length);
  }
  span.end();
}

/** The same stream, each of its steps run in the root context (no active span). */
export function detached<T>(source: AsyncIterable<T>): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const root = <R>(run: () => R) => context.with(ROOT_CONTEXT, run);
  return {
    next: (...args) => root(() => iterator.next(...args)),
    return: (value) => root(() => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: value as T })),
    throw: (error) => root(() => iterator.throw?.(error) ?? Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

export function useGraphqlTracing(tracer: Tracer): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const { span, ctx } = start(tracer, args);
      setExecuteFn((a) => context.with(ctx, () => executeFn(a)));
      return { onExecuteDone: ({ result }) => end(span, Symbol.asyncIterator in Object(result) ? undefined : result) };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const { span, ctx } = start(tracer, args);
      setSubscribeFn((a) => context.with(ctx, () => subscribeFn(a)));
      return {
        onSubscribeResult: ({ result, setResult }) => {
          if (!isAsyncIterable(result)) return end(span, result);
          end(span, undefined);
          setResult(detached(result) as typeof result);
        },
      };
    },
  };
}
