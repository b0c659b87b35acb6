/** With OTEL_EXPORTER_OTLP_ENDPOINT set, spans reach an OTLP/HTTP receiver (a local node:http server): real export. Without it, no tracing. */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCairn } from '../../src/app.js';
import { createObservability } from '../../src/observability/observability.js';
import { tracingWanted } from '../../src/observability/tracing.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { alwaysReachable, testConfig } from '../helpers/cairn.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

interface Received {
  path: string;
  contentType: string | undefined;
  body: any;
}

/** An OTLP/HTTP receiver on port 0: resolves `next` with each POST it receives (answered 200, as a collector does). */
async function receiver() {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters.splice(0)) wake();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** Resolves once some POST has arrived. */
    arrived: () => (received.length ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const spanNames = (received: Received[]) =>
  received.flatMap((r) => r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => s.name as string))));

describe('OTLP export', () => {
  it('sends the spans of an operation to OTEL_EXPORTER_OTLP_ENDPOINT over HTTP, as service cairn', async () => {
    const otlp = await receiver();
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', otlp.url);
      const observability = createObservability({ processMetrics: false });
      expect(observability.tracing).not.toBeNull();
      const cairn = await createCairn(testConfig({ logLevel: 'silent' }), {
        logger: pino({ level: 'silent' }),
        kubeconfig: { documents: [] },
        observability,
        testing: { check: alwaysReachable, bootstrapAdminToken: false },
      });
      try {
        const { port } = await cairn.start();
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(await issueTestToken(cairn.repos)) },
          body: JSON.stringify({ query: 'query Exported { clusters { name } }' }),
        });
        expect(res.status).toBe(200);
        await observability.flush();
        await otlp.arrived();
      } finally {
        await cairn.stop();
        await observability.shutdown();
      }
      expect(otlp.received[0]).toMatchObject({ path: '/v1/traces', contentType: expect.stringContaining('application/json') });
      expect(spanNames(otlp.received)).toContain('query Exported');
      const resource = otlp.received[0]!.body.resourceSpans[0].resource.attributes as Array<{ key: string; value: { stringValue?: string } }>;
      expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('cairn');
    } finally {
      await otlp.close();
    }
  });

  it('is off without an endpoint, and when the SDK is disabled', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', '');
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '');
    const off = createObservability({ processMetrics: false });
    expect(off.tracing).toBeNull();
    // Off: only the metrics route and the operation metrics are plugged in (no span is ever made).
    expect(off.plugins()).toHaveLength(2);
    expect(off.engine.pass).toBeUndefined();
  });
});
