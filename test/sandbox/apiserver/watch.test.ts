import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, PatchStrategy, Watch, makeInformer, setHeaderOptions, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
import { startServer, watchEvents, type TestServer } from './helpers.js';

let s: TestServer;
let core: CoreV1Api;
beforeAll(async () => {
  s = await startServer({ bookmarkIntervalMs: 1000 }); // speed 100: a bookmark every 10 ms
  core = s.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'w' } } });
});
afterAll(() => s.close());

const cm = (name: string, labels: Record<string, string> = {}): V1ConfigMap => ({ metadata: { name, labels }, data: { v: '1' } });

/** Collects events from a client-node Watch until `until` says stop. */
function collect(path: string, query: Record<string, string | number | boolean | undefined>, until: (events: { type: string; obj: any }[]) => boolean) {
  const events: { type: string; obj: any }[] = [];
  let controller: AbortController | undefined;
  const done = new Promise<{ type: string; obj: any }[]>((resolve, reject) => {
    new Watch(s.kc)
      .watch(
        path,
        query,
        (type, obj) => {
          events.push({ type, obj });
          if (until(events)) {
            controller?.abort();
            resolve(events);
          }
        },
        (err) => (err && err.name !== 'AbortError' ? reject(err) : resolve(events)),
      )
      .then((c) => (controller = c), reject);
  });
  return done;
}

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED to a client-node Watch', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'w' });
    const events = collect('/api/v1/namespaces/w/configmaps', { resourceVersion: list.metadata!.resourceVersion }, (e) => e.some((x) => x.type === 'DELETED'));
    await s.api.counters.until(() => s.api.counters.openWatches({ resource: 'configmaps', namespace: 'w' }) === 1);
    await core.createNamespacedConfigMap({ namespace: 'w', body: cm('a') });
    await core.patchNamespacedConfigMap({ name: 'a', namespace: 'w', body: { data: { v: '2' } } }, merge);
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'w' });
    const got = await events;
    expect(got.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(got[1]!.obj).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', data: { v: '2' } });
    await s.api.counters.until(() => s.api.counters.openWatches({ resource: 'configmaps', namespace: 'w' }) === 0);
  });

  it('sends the current objects as ADDED when no resourceVersion is given, then changes, as chunked JSON lines', async () => {
    await core.createNamespacedConfigMap({ namespace: 'w', body: cm('existing') });
    const res = await s.request('/api/v1/namespaces/w/configmaps?watch=1&fieldSelector=metadata.name%3Dexisting');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const it = watchEvents(res);
    expect((await it.next()).value).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'existing' } } });
    await core.patchNamespacedConfigMap({ name: 'existing', namespace: 'w', body: { data: { v: '3' } } }, merge);
    expect((await it.next()).value).toMatchObject({ type: 'MODIFIED', object: { data: { v: '3' } } });
    await it.return(undefined);
  });

  it('replays from a resourceVersion, and answers a compacted one with 200 and an ERROR event (410 Expired)', async () => {
    const start = (await core.listNamespacedConfigMap({ namespace: 'w' })).metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({ namespace: 'w', body: cm('r1') });
    await core.createNamespacedConfigMap({ namespace: 'w', body: cm('r2') });
    const replay = await s.request(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${start}`);
    const it = watchEvents(replay);
    expect((await it.next()).value).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'r1' } } });
    expect((await it.next()).value).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'r2' } } });
    await it.return(undefined);

    s.api.faults.compact();
    const gone = await s.request(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${start}`);
    expect(gone.status).toBe(200);
    const events = [];
    for await (const e of watchEvents(gone)) events.push(e);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 } });
    expect(events[0]!.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('tells a watcher DELETED when an object stops matching its selector and ADDED when it starts', async () => {
    await core.createNamespacedConfigMap({ namespace: 'w', body: cm('moving', { tier: 'front' }) });
    const rv = (await core.listNamespacedConfigMap({ namespace: 'w' })).metadata!.resourceVersion!;
    const res = await s.request(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}&labelSelector=tier%3Dfront`);
    const it = watchEvents(res);
    await core.patchNamespacedConfigMap({ name: 'moving', namespace: 'w', body: { metadata: { labels: { tier: 'back' } } } }, merge);
    await core.patchNamespacedConfigMap({ name: 'moving', namespace: 'w', body: { metadata: { labels: { tier: 'front' } } } }, merge);
    const left = (await it.next()).value!;
    expect(left).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'moving', labels: { tier: 'front' } } } });
    expect(Number(left.object.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    expect((await it.next()).value).toMatchObject({ type: 'ADDED', object: { metadata: { labels: { tier: 'front' } } } });
    await it.return(undefined);
  });

  it('sends BOOKMARK events when allowed, and one more before timeoutSeconds ends the watch', async () => {
    const res = await s.request('/api/v1/namespaces/w/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&labelSelector=none');
    const events = [];
    for await (const e of watchEvents(res)) events.push(e); // ends by itself after 1 s
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const e of events) {
      expect(e.type).toBe('BOOKMARK');
      expect(e.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
      expect(Number(e.object.metadata.resourceVersion)).toBe(s.store.currentVersion());
    }
  });

  it('does not send bookmarks unless asked', async () => {
    const res = await s.request('/api/v1/namespaces/w/configmaps?watch=true&timeoutSeconds=1&labelSelector=none');
    const events = [];
    for await (const e of watchEvents(res)) events.push(e);
    expect(events).toEqual([]);
  });
});

describe('an informer', () => {
  it('lists, watches, and re-lists after its watch is dropped and its version compacted', async () => {
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    await core.createNamespacedConfigMap({ namespace: 'inf', body: cm('before') });
    const informer = makeInformer<KubernetesObject>(s.kc, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
    const names = () => informer.list().map((o) => o.metadata!.name).sort();
    const changed = new Set<() => void>();
    const wake = () => changed.forEach((f) => f());
    informer.on('add', wake);
    informer.on('update', wake);
    informer.on('delete', wake);
    informer.on('connect', wake);
    const until = (check: () => boolean) =>
      new Promise<void>((resolve) => {
        const f = () => {
          if (check()) {
            changed.delete(f);
            resolve();
          }
        };
        changed.add(f);
        f();
      });
    await informer.start();
    expect(names()).toEqual(['before']);
    await s.api.counters.until(() => s.api.counters.openWatches({ resource: 'configmaps', namespace: 'inf' }) === 1);

    await core.createNamespacedConfigMap({ namespace: 'inf', body: cm('live') });
    await until(() => names().includes('live'));

    const listsBefore = s.api.counters.count({ verb: 'list', resource: 'configmaps', namespace: 'inf' });
    // While it is disconnected, things change and the history is compacted: resuming gets 410.
    // All synchronous, so the informer cannot reconnect in between.
    s.api.faults.dropWatches({ resource: 'configmaps', namespace: 'inf' });
    s.store.delete('/configmaps', 'inf', 'before');
    s.store.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'while-away', namespace: 'inf' } });
    s.api.faults.compact();
    await until(() => names().join() === 'live,while-away');
    expect(s.api.counters.count({ verb: 'list', resource: 'configmaps', namespace: 'inf' })).toBeGreaterThan(listsBefore);
    await informer.stop();
  });
});

describe('watch-list (sendInitialEvents)', () => {
  it('sends the current objects, then a bookmark marking the end of the initial events, then changes', async () => {
    await core.createNamespace({ body: { metadata: { name: 'wl' } } });
    await core.createNamespacedConfigMap({ namespace: 'wl', body: cm('first') });
    const res = await s.request('/api/v1/namespaces/wl/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=');
    const it = watchEvents(res);
    expect((await it.next()).value).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'first' } } });
    const end = (await it.next()).value!;
    expect(end).toMatchObject({ type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
    await core.createNamespacedConfigMap({ namespace: 'wl', body: cm('second') });
    let next = (await it.next()).value!;
    while (next.type === 'BOOKMARK') next = (await it.next()).value!;
    expect(next).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'second' } } });
    await it.return(undefined);
  });

  it('refuses sendInitialEvents without NotOlderThan and bookmarks (422)', async () => {
    const res = await s.request('/api/v1/namespaces/wl/configmaps?watch=true&sendInitialEvents=true');
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Invalid' });
  });
});
