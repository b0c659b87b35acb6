/**
 * A client span for every call to a cluster: `kube <verb> <kind>`, with the cluster, the path and the answer's
 * status; the child of the active span (inside an engine pass, of the pass: see engineParent).
 */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { KubeCallObserver } from '../kube/kube-request.js';
import { engineParent } from './engine-tracing.js';

export function kubeCallSpans(tracer: Tracer): KubeCallObserver {
  return (request) => {
    const attributes = {
      'cairn.kube.cluster': request.cluster,
      'cairn.kube.verb': request.verb,
      'cairn.kube.kind': request.kind,
      ...(request.namespace ? { 'cairn.kube.namespace': request.namespace } : {}),
      ...(request.name ? { 'cairn.kube.name': request.name } : {}),
    };
    const span = tracer.startSpan(`kube ${request.verb} ${request.kind}`, { kind: SpanKind.CLIENT, attributes }, engineParent());
    return (end) => {
      if (end.method) span.setAttribute('http.request.method', end.method);
      if (end.path) span.setAttribute('url.path', end.path);
      if (end.status !== null) span.setAttribute('http.response.status_code', end.status);
      if (end.failure) span.setAttribute('error.type', end.failure);
      if (end.failure || (end.status !== null && end.status >= 400)) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
  };
}
