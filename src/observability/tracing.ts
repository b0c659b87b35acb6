/**
 * Tracing: OpenTelemetry spans for GraphQL operations, the release engine's passes and steps, and every call to a
 * cluster. On when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set — exported over
 * OTLP/HTTP, batched, with the standard OTEL_* variables (headers, timeout, OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER …); off otherwise, and off with OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none. Off means no tracer at all: the hooks are not installed (see observability.ts).
 *
 * Each cairn has its own TracerProvider and hands its tracer down explicitly (tests run several cairns in one
 * process). The first one also registers the process-wide pieces: the AsyncLocalStorage context manager (so a
 * span started in a resolver is the parent of the calls it makes, across awaits) and the W3C trace-context
 * propagator (an incoming `traceparent` continues the caller's trace).
 */
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  tracer: Tracer;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Where the spans go. */
  exporter: SpanExporter;
  /** Batch the exports (default) or export each span as it ends (tests). */
  batch?: boolean;
}

/** Whether the environment asks for traces (an OTLP endpoint, and the SDK not disabled). */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Tracing as the environment asks: OTLP/HTTP to its endpoint, or null (off). The exporter reads its OTEL_* settings itself. */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Tracing | null {
  return tracingWanted(env) ? createTracing({ exporter: new OTLPTraceExporter() }) : null;
}

let registered = false;

export function createTracing(options: TracingOptions): Tracing {
  const processor: SpanProcessor = options.batch === false ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(options.exporter);
  // service.name cairn, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = resourceFromAttributes({ 'service.name': 'cairn' }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  if (!registered) {
    // Process-wide: the context manager and the propagator (and this provider as the global one, for libraries).
    provider.register();
    registered = true;
  }
  return {
    tracer: provider.getTracer('cairn'),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
