/**
 * Who may scrape /metrics: a bearer token when CAIRN_METRICS_TOKEN is set; without one, only a cairn on a loopback
 * host (a cairn others reach refuses 403 and says so in its log). HEAD answers headers alone, without collecting.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCairn, type Cairn } from '../../src/app.js';
import { createObservability } from '../../src/observability/observability.js';
import { isLoopback, metricsAccess, REFUSED_MESSAGE, useMetricsRoute, type MetricsRouteOptions } from '../../src/observability/metrics-route.js';
import { alwaysReachable, clusterSources, testConfig } from '../helpers/cairn.js';

const TOKEN = 'metrics-token-0123456789';

/** Sends one request through the route alone; the answer (null when the route let it pass) and how many scrapes ran. */
async function route(options: MetricsRouteOptions, method: string, path = '/metrics', headers: Record<string, string> = {}) {
  let scrapes = 0;
  const plugin = useMetricsRoute({ scrape: async () => (++scrapes, 'up 1\n'), contentType: 'text/plain; version=0.0.4' }, options);
  let answer: Response | null = null;
  const request = new Request(`http://cairn${path}`, { method, headers });
  await (plugin.onRequest as any)({ request, url: new URL(request.url), fetchAPI: { Response }, endResponse: (r: Response) => (answer = r) });
  const res = answer as Response | null;
  return { status: res?.status ?? null, body: res ? await res.text() : null, cache: res?.headers.get('cache-control') ?? null, type: res?.headers.get('content-type') ?? null, scrapes };
}

describe('the /metrics route', () => {
  it('knows which hosts are loopback', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.7', 'cairn.example', '128.0.0.1', ''].some(isLoopback)).toBe(false);
    expect([metricsAccess('0.0.0.0', TOKEN), metricsAccess('127.0.0.1', undefined), metricsAccess('0.0.0.0', undefined)]).toEqual(['token', 'open', 'refused']);
  });

  it('serves the metrics, never cached, and HEAD without collecting them', async () => {
    expect(await route({}, 'GET')).toMatchObject({ status: 200, body: 'up 1\n', cache: 'no-store', type: 'text/plain; version=0.0.4', scrapes: 1 });
    expect(await route({}, 'HEAD')).toMatchObject({ status: 200, body: '', cache: 'no-store', type: 'text/plain; version=0.0.4', scrapes: 0 });
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(await route({ token: TOKEN, host: '0.0.0.0' }, 'HEAD', '/metrics', auth)).toMatchObject({ status: 200, body: '', scrapes: 0 });
    expect(await route({ token: TOKEN, host: '0.0.0.0' }, 'GET', '/metrics', auth)).toMatchObject({ status: 200, scrapes: 1 });
  });

  it('asks for the token when one is set, and refuses a cairn on a non-loopback host without one', async () => {
    expect(await route({ token: TOKEN }, 'GET')).toMatchObject({ status: 401, cache: 'no-store', scrapes: 0 });
    expect(await route({ token: TOKEN }, 'HEAD', '/metrics', { authorization: 'Bearer wrong-token-0123456789' })).toMatchObject({ status: 401, body: '', scrapes: 0 });
    expect(await route({ host: '0.0.0.0' }, 'GET')).toMatchObject({ status: 403, body: `${REFUSED_MESSAGE}\n`, cache: 'no-store', scrapes: 0 });
    expect(await route({ host: '0.0.0.0' }, 'HEAD')).toMatchObject({ status: 403, body: '', scrapes: 0 });
  });

  it('leaves other paths and methods to the server', async () => {
    expect(await route({}, 'POST')).toMatchObject({ status: null, scrapes: 0 });
    expect(await route({}, 'GET', '/metrics/')).toMatchObject({ status: null, scrapes: 0 });
  });
});

describe('a cairn listening on 0.0.0.0 without CAIRN_METRICS_TOKEN', () => {
  let cairn: Cairn;
  let origin: string;
  const logged: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });
    cairn = await createCairn(testConfig({ logLevel: 'warn', host: '0.0.0.0' }), {
      logger: pino({ level: 'warn' }, sink),
      kubeconfig: { documents: clusterSources(['alpha'], 'http://127.0.0.1:9') },
      observability: createObservability({ tracing: null, processMetrics: false }),
      testing: { check: alwaysReachable, bootstrapAdminToken: false, runEngine: false },
    });
    const { port } = await cairn.start();
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await cairn?.stop();
  });

  it('refuses /metrics with 403 and says why in its log', async () => {
    const res = await fetch(`${origin}/metrics`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('CAIRN_METRICS_TOKEN');
    expect(logged.some((line) => line.includes(REFUSED_MESSAGE))).toBe(true);
  });

  it('answers 404 to POST /metrics and to /metrics/ (through the token gate)', async () => {
    for (const [method, path] of [['POST', '/metrics'], ['GET', '/metrics/'], ['POST', '/metrics/']] as const) {
      const res = await fetch(`${origin}${path}`, { method, headers: { 'content-type': 'text/plain' }, ...(method === 'POST' ? { body: 'x' } : {}) });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
  });
});
