/** One release's trace, caught by an in-memory exporter: the submitting mutation, the engine's passes and steps, the calls to the cluster. */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservability } from '../../src/observability/observability.js';
import { createTracing } from '../../src/observability/tracing.js';
import { releaseOnce, startReleaseCairn, type ReleaseCairn } from './release-cairn.js';

const exporter = new InMemorySpanExporter();
let cairn: ReleaseCairn;

beforeAll(async () => {
  cairn = await startReleaseCairn(createObservability({ tracing: createTracing({ exporter, batch: false }), processMetrics: false }));
});
afterAll(async () => {
  await cairn?.stop();
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing a release', () => {
  it('puts the engine passes, their steps and their calls to the cluster under the mutation that submitted the order', async () => {
    await releaseOnce(cairn, 'traced');
    await cairn.app.reconciler.idle();
    await cairn.app.observability.flush();
    const spans = exporter.getFinishedSpans();

    const submit = spans.find((s) => s.name === 'mutation' && s.attributes['cairn.graphql.fields'] === 'createReleaseOrder');
    expect(submit, 'the createReleaseOrder span').toBeDefined();
    expect(submit!.attributes['graphql.operation.type']).toBe('mutation');
    const trace = spans.filter((s) => s.spanContext().traceId === submit!.spanContext().traceId);

    // The passes over the order are the mutation's children (woken by it, then by informer events and timers).
    const passes = trace.filter((s) => s.name === 'reconcile order');
    expect(passes.length).toBeGreaterThanOrEqual(3);
    for (const pass of passes) expect(parentOf(pass)).toBe(submit!.spanContext().spanId);
    const passIds = new Set(passes.map((p) => p.spanContext().spanId));
    expect(passes.map((p) => p.attributes['cairn.reconcile.next'])).toContain('DONE');

    // Steps of the passes: setting up the base and the revision, scaling it up batch by batch.
    const steps = trace.filter((s) => s.name.startsWith('release step '));
    for (const step of steps) expect(passIds.has(parentOf(step)!)).toBe(true);
    expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(['release step ensureBase', 'release step ensureRevision', 'release step scaleRevision']));
    expect(steps.find((s) => s.name === 'release step scaleRevision')!.attributes['cairn.step']).toMatch(/^scale revision 1 to \d$/);

    // Calls to the cluster under the steps, with cluster, verb, path and status.
    const stepIds = new Set(steps.map((s) => s.spanContext().spanId));
    const created = trace.find((s) => s.name === 'kube create Deployment');
    expect(created, 'the Deployment created').toBeDefined();
    expect(stepIds.has(parentOf(created!)!)).toBe(true);
    expect(created!.attributes).toMatchObject({
      'cairn.kube.cluster': 'e2e-production',
      'cairn.kube.verb': 'create',
      'cairn.kube.namespace': 'cairn-traced',
      'http.request.method': 'POST',
      'url.path': '/apis/apps/v1/namespaces/cairn-traced/deployments',
      'http.response.status_code': 201,
    });

    // The shared informers' requests belong to no release: their lists are root spans of traces of their own.
    const informerLists = spans.filter((s) => s.name === 'kube list Pod' && s.attributes['url.path'] === '/api/v1/pods');
    expect(informerLists.length).toBeGreaterThanOrEqual(1);
    for (const list of informerLists) {
      expect(parentOf(list)).toBeUndefined();
      expect(list.spanContext().traceId).not.toBe(submit!.spanContext().traceId);
    }
  });
});
