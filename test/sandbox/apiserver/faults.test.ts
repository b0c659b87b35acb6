import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { startServer, watchEvents, type TestServer } from './helpers.js';

let s: TestServer;
let core: CoreV1Api;
beforeAll(async () => {
  s = await startServer();
  core = s.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'f' } } });
});
afterAll(() => s.close());

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as ApiException<unknown>).code;
  }
};

describe('fault injection', () => {
  it('fails matching requests with 429 and Retry-After, only for the verb and resource asked, only as many times as asked', async () => {
    const remove = s.api.faults.failRequests({ verb: 'list', resource: 'configmaps', code: 429, retryAfterSeconds: 3, times: 2 });
    const first = await s.request('/api/v1/namespaces/f/configmaps');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(await first.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 3 } });
    expect((await s.request('/api/v1/namespaces/f/secrets')).status).toBe(200);
    expect((await s.request('/api/v1/namespaces/f/configmaps/x')).status).toBe(404); // a get, not a list
    expect(await codeOf(core.listNamespacedConfigMap({ namespace: 'f' }))).toBe(429);
    expect(await codeOf(core.listNamespacedConfigMap({ namespace: 'f' }))).toBe(200);
    remove();
  });

  it('fails with 500 and 503 Status bodies at a given rate', async () => {
    let n = 0;
    const faults = (await import('../../../src/sandbox/apiserver/faults.js')).createFaults(() => (n++ % 2 === 0 ? 0.1 : 0.9));
    const remove = faults.failRequests({ code: 500, rate: 0.5 });
    const decided = [1, 2, 3, 4].map(() => faults.decide({ verb: 'get', group: '', resource: 'pods' }).error?.code);
    expect(decided).toEqual([500, undefined, 500, undefined]);
    remove();

    const off = s.api.faults.failRequests({ verb: 'create', resource: 'configmaps', namespace: 'f', code: 503 });
    const res = await s.request('/api/v1/namespaces/f/configmaps', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"x"}}' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
    off();
    const boom = s.api.faults.failRequests({ resource: 'secrets', code: 500 });
    const five = await s.request('/api/v1/namespaces/f/secrets');
    expect(five.status).toBe(500);
    expect(await five.json()).toMatchObject({ reason: 'InternalError', code: 500 });
    boom();
  });

  it('hangs matching requests: accepted, never answered, until the client gives up; only as many as asked', async () => {
    s.api.counters.reset();
    const remove = s.api.faults.hangRequests({ verb: 'get', resource: 'configmaps', times: 1 });
    const abort = new AbortController();
    let settled = false;
    const hung = s.request('/api/v1/namespaces/f/configmaps/one', { signal: abort.signal }).finally(() => (settled = true));
    hung.catch(() => undefined);
    // The rule is spent: the next matching request, sent after the first, is answered while the first still waits.
    expect((await s.request('/api/v1/namespaces/f/configmaps/two')).status).toBe(404);
    expect((await s.request('/api/v1/namespaces/f/secrets')).status).toBe(200);
    expect(settled).toBe(false);
    expect(s.api.counters.requests().map((r) => [r.verb, r.resource, r.name ?? null, r.code])).toEqual([
      ['get', 'configmaps', 'one', 0],
      ['get', 'configmaps', 'two', 404],
      ['list', 'secrets', null, 200],
    ]);
    abort.abort();
    await expect(hung).rejects.toMatchObject({ name: 'AbortError' });
    remove();
    expect((await s.request('/api/v1/namespaces/f/configmaps/three')).status).toBe(404);
  });

  it('adds latency to matching requests', async () => {
    const remove = s.api.faults.addLatency({ verb: 'get', resource: 'namespaces', ms: 150 });
    const started = performance.now();
    await core.readNamespace({ name: 'f' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    remove();
    expect(s.api.counters.requests({ verb: 'get', resource: 'namespaces', name: 'f' }).at(-1)!.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('drops every open watch cleanly, and counts open watches by resource and namespace', async () => {
    const a = await s.request('/api/v1/namespaces/f/pods?watch=true');
    const b = await s.request('/api/v1/namespaces/f/configmaps?watch=true');
    expect(s.api.counters.openWatches({ resource: 'pods', namespace: 'f' })).toBe(1);
    expect(s.api.counters.openWatches({ namespace: 'f' })).toBe(2);
    expect(s.api.faults.dropWatches({ resource: 'pods' })).toBe(1);
    const ended: unknown[] = [];
    for await (const e of watchEvents(a)) ended.push(e); // completes: the stream ended
    expect(ended).toEqual([]);
    expect(s.api.counters.openWatches({ namespace: 'f' })).toBe(1);
    expect(s.api.faults.dropWatches(undefined, { abrupt: true })).toBe(1);
    await expect(b.body!.getReader().read()).rejects.toThrow(); // abrupt: the connection is reset
    await s.api.counters.until(() => s.api.counters.openWatches() === 0);
  });

  it('answers every request with 503 during a 503-mode outage, then recovers', async () => {
    const outage = s.api.faults.unavailableFor(300, { mode: '503' });
    const during = await s.request('/api/v1/namespaces');
    expect(during.status).toBe(503);
    expect((await fetch(`${s.api.url}/readyz`)).status).toBe(503);
    await outage;
    expect((await s.request('/api/v1/namespaces')).status).toBe(200);
  });

  it('refuses connections during an outage, then serves on the same port again', async () => {
    const watch = await s.request('/api/v1/namespaces/f/pods?watch=true');
    const reader = watch.body!.getReader();
    const outage = s.api.faults.unavailableFor(300);
    await expect(reader.read()).rejects.toThrow(); // the connection was reset
    const refused = await fetch(`${s.api.url}/healthz`).then(
      () => 'answered',
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');
    await outage;
    expect(await (await fetch(`${s.api.url}/healthz`)).text()).toBe('ok');
    expect((await core.readNamespace({ name: 'f' })).metadata?.name).toBe('f');
  });

  it('reopens the port only when the last of overlapping outages ends', async () => {
    const long = s.api.faults.unavailableFor(300);
    const short = s.api.faults.unavailableFor(50);
    await short;
    const during = await fetch(`${s.api.url}/healthz`, { headers: { Connection: 'close' } }).then(
      () => 'answered',
      (e: Error & { cause?: { code?: string } }) => e.cause?.code,
    );
    expect(during).toBe('ECONNREFUSED');
    await long;
    expect((await fetch(`${s.api.url}/healthz`, { headers: { Connection: 'close' } })).status).toBe(200);
  });

  it('keeps a request log with verbs, resources and codes', async () => {
    s.api.counters.reset();
    await core.listNamespacedPod({ namespace: 'f' });
    await codeOf(core.readNamespacedPod({ name: 'ghost', namespace: 'f' }));
    const log = s.api.counters.requests();
    expect(log.map((r) => [r.method, r.verb, r.resource, r.namespace, r.code])).toEqual([
      ['GET', 'list', 'pods', 'f', 200],
      ['GET', 'get', 'pods', 'f', 404],
    ]);
    expect(s.api.counters.byVerbAndResource()).toEqual({ 'list pods': 1, 'get pods': 1 });
    expect(s.api.counters.count({ verb: 'get', code: 404 })).toBe(1);
  });
});
