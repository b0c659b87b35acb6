/** The shared informers against a sandbox API server: one watch per (cluster, kind) across namespaces, timeoutSeconds, restarts, re-list after 410, idle stop, hung lists and watches, the fall-back to namespaces when the cluster scope is refused. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BoundedKubeConfig } from '../../src/kube/bounded-kubeconfig.js';
import { DEFAULT_KUBE_TIMEOUTS } from '../../src/kube/kube-timeouts.js';
import type { ChangeType } from '../../src/live/informer.js';
import { createInformers, type Informers } from '../../src/live/informers.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';

const NS = 'cairn-web';
let cluster: SandboxCluster;
let core: CoreV1Api;
let informers: Informers;
let kc: KubeConfig;

beforeEach(async () => {
  cluster = await startSandboxCluster({ name: 'informers', controllers: false, nodeAgent: false });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
});
afterEach(async () => {
  informers?.stop();
  await cluster.stop();
});

const MANAGED = { 'app.kubernetes.io/managed-by': 'cairn' };
const pod = (name: string, namespace = NS, labels: Record<string, string> = MANAGED) =>
  core.createNamespacedPod({ namespace, body: { metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } });
const touch = (name: string, value: string) => core.patchNamespacedPod({ name, namespace: NS, body: [{ op: 'add', path: '/metadata/annotations', value: { step: value } }] });

/** Records what an informer tells, and resolves when `count` changes have arrived. */
function recorder(lease: ReturnType<Informers['acquire']>) {
  const seen: Array<[ChangeType, string]> = [];
  const waiters: Array<() => void> = [];
  lease.informer.on((type, o) => {
    seen.push([type, o.metadata?.name ?? '']);
    for (const w of waiters.splice(0)) w();
  });
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { seen, until };
}

it('shares one informer per (cluster, kind) whatever the namespaces, passes timeoutSeconds, and stops when idle', async () => {
  informers = createInformers(() => kc, { idleMs: 10, timeoutSeconds: 1 });
  const leases = Array.from({ length: 10 }, () => informers.acquire('c', NS, 'pods'));
  const events = informers.acquire('c', NS, 'events');
  const deployments = informers.acquire('c', NS, 'deployments');
  const statefulSets = informers.acquire('c', NS, 'statefulsets');
  const others = [events, deployments, statefulSets];
  await Promise.all([leases[0]!.informer.whenSynced(), ...others.map((l) => l.informer.whenSynced())]);
  await cluster.counters.until(() => cluster.counters.openWatches() === 4);
  expect(informers.stats()).toEqual({ informers: 4, leases: 13 });
  expect(cluster.counters.openWatches({ resource: 'deployments' })).toBe(1);
  expect(cluster.counters.openWatches({ resource: 'pods' })).toBe(1);
  const watches = cluster.counters.requests({ verb: 'watch' });
  expect(watches.every((r) => /timeoutSeconds=1\b/.test(r.query))).toBe(true);

  // The server ends the watch after 1 s: it starts again from where it was (no new list).
  const lists = cluster.counters.count({ verb: 'list', resource: 'pods' });
  await cluster.counters.until(() => cluster.counters.count({ verb: 'watch', resource: 'pods' }) >= 2, 5000);
  expect(cluster.counters.count({ verb: 'list', resource: 'pods' })).toBe(lists);

  for (const l of [...leases, ...others]) l.release();
  await cluster.counters.until(() => cluster.counters.openWatches() === 0 && informers.stats().informers === 0);
  expect(informers.stats()).toEqual({ informers: 0, leases: 0 });
});

it('warnings: lists and watches the Warnings of pods only; events: every event of pods', async () => {
  informers = createInformers(() => kc);
  const event = (name: string, type: string, kind = 'Pod') =>
    core.createNamespacedEvent({ namespace: NS, body: { metadata: { name }, type, reason: type === 'Warning' ? 'BackOff' : 'Pulled', message: name, involvedObject: { kind, name: 'web-0', namespace: NS } } });
  await event('listed-normal', 'Normal');
  await event('listed-warning', 'Warning');
  const warnings = informers.acquire('c', NS, 'warnings');
  const events = informers.acquire('c', NS, 'events');
  const w = recorder(warnings);
  const e = recorder(events);
  await Promise.all([warnings.informer.whenSynced(), events.informer.whenSynced()]);
  await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'events' }) === 2);
  // A Node's Warning first: had either selector let it through, it would arrive before the Pod's events below.
  await event('node-warning', 'Warning', 'Node');
  await event('watched-normal', 'Normal');
  await event('watched-warning', 'Warning');
  await e.until(() => e.seen.length === 4);
  await w.until(() => w.seen.length === 2);
  expect(w.seen).toEqual([['ADDED', 'listed-warning'], ['ADDED', 'watched-warning']]);
  expect(e.seen).toEqual([['ADDED', 'listed-normal'], ['ADDED', 'listed-warning'], ['ADDED', 'watched-normal'], ['ADDED', 'watched-warning']]);
  expect([...warnings.informer.cache.keys()].sort()).toEqual(['listed-warning', 'watched-warning']);
  const selectors = cluster.counters.watches({ resource: 'events' }).map((x) => x.fieldSelector).sort();
  expect(selectors).toEqual(['involvedObject.kind=Pod', 'involvedObject.kind=Pod,type=Warning']);
  warnings.release();
  events.release();
});

it('after a dropped watch, and after a 410 Gone, tells every change made meanwhile', async () => {
  informers = createInformers(() => kc, { minBackoffMs: 10 });
  await pod('a');
  await pod('b');
  const lease = informers.acquire('c', NS, 'pods');
  const r = recorder(lease);
  await lease.informer.whenSynced();
  await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods' }) === 1);
  expect(r.seen).toEqual([['ADDED', 'a'], ['ADDED', 'b']]);

  // A clean end: watch again from the last version.
  cluster.faults.dropWatches({ resource: 'pods' });
  await touch('a', '1');
  await r.until(() => r.seen.length === 3);
  expect(r.seen[2]).toEqual(['MODIFIED', 'a']);

  // The watch ends and its next request is slow to arrive: meanwhile 'b' changes and the history is
  // compacted, so watching from the old version gets 410 Gone; the informer re-lists and tells the change.
  await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods' }) === 1);
  const before410 = cluster.counters.count({ verb: 'list', resource: 'pods' });
  const slow = cluster.faults.addLatency({ verb: 'watch', resource: 'pods', ms: 300 });
  cluster.faults.dropWatches({ resource: 'pods' });
  await touch('b', 'while the watch is down');
  cluster.faults.compact();
  await r.until(() => r.seen.length === 4);
  slow();
  expect(r.seen[3]).toEqual(['MODIFIED', 'b']);
  expect(cluster.counters.count({ verb: 'list', resource: 'pods' })).toBeGreaterThan(before410);
  await touch('b', 'after the re-list');
  await r.until(() => r.seen.length === 5);

  // Down while the history is compacted: the next watch gets 410, the informer re-lists and tells the differences.
  await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods' }) === 1);
  const lists = cluster.counters.count({ verb: 'list', resource: 'pods' });
  await cluster.faults.unavailableFor(200);
  await touch('b', '2');
  await core.deleteNamespacedPod({ name: 'a', namespace: NS, gracePeriodSeconds: 0 });
  await pod('c');
  cluster.faults.compact();
  await r.until(() => r.seen.length === 8);
  expect(r.seen.slice(5).sort()).toEqual([['ADDED', 'c'], ['DELETED', 'a'], ['MODIFIED', 'b']]);
  expect(cluster.counters.count({ verb: 'list', resource: 'pods' })).toBeGreaterThan(lists);
  expect([...lease.informer.cache.keys()].sort()).toEqual(['b', 'c']);
  lease.release();
});

it('a list and a watch that are never answered are cut (list timeout, inactivity window) and tried again: changes still arrive', async () => {
  const bounded = new BoundedKubeConfig(kc, { cluster: 'informers', timeouts: { ...DEFAULT_KUBE_TIMEOUTS, listMs: 300, watchIdleMs: 1500 } });
  informers = createInformers(() => bounded, { minBackoffMs: 10 });
  await pod('a');
  const hungList = cluster.faults.hangRequests({ verb: 'list', resource: 'pods', times: 1 });
  const lease = informers.acquire('c', NS, 'pods');
  const r = recorder(lease);
  await lease.informer.whenSynced();
  expect(cluster.counters.requests({ verb: 'list', resource: 'pods' }).map((q) => q.code)).toEqual([0, 200]);
  expect(r.seen).toEqual([['ADDED', 'a']]);
  hungList();

  // The watch is started again and never answered; a change made meanwhile arrives once the silent watch is cut and resumed.
  await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods' }) === 1);
  const hungWatch = cluster.faults.hangRequests({ verb: 'watch', resource: 'pods', times: 1 });
  cluster.faults.dropWatches({ resource: 'pods' });
  await cluster.counters.until(() => cluster.counters.requests({ verb: 'watch', resource: 'pods' }).some((q) => q.code === 0));
  await touch('a', 'while the watch hangs');
  await r.until(() => r.seen.length === 2);
  expect(r.seen[1]).toEqual(['MODIFIED', 'a']);
  expect(cluster.counters.requests({ verb: 'watch', resource: 'pods' }).map((q) => q.code)).toEqual([200, 0, 200]);
  hungWatch();
  lease.release();
});

it('one watch per kind serves every namespace; each view sees only its namespace and only what cairn manages', async () => {
  informers = createInformers(() => kc, { idleMs: 10 });
  await core.createNamespace({ body: { metadata: { name: 'cairn-api' } } });
  await pod('a');
  await pod('stranger', NS, {});
  await pod('b', 'cairn-api');
  const web = informers.acquire('c', NS, 'pods');
  const api = informers.acquire('c', 'cairn-api', 'pods');
  const rWeb = recorder(web);
  const rApi = recorder(api);
  await Promise.all([web.informer.whenSynced(), api.informer.whenSynced()]);
  expect([...web.informer.cache.keys()]).toEqual(['a']);
  expect([...api.informer.cache.keys()]).toEqual(['b']);
  await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods' }) === 1);
  expect(cluster.counters.count({ verb: 'list', resource: 'pods' })).toBe(1);
  expect(informers.requests().lists).toBe(1);
  expect(cluster.counters.requests({ verb: 'watch', resource: 'pods' }).every((r) => r.namespace === undefined && r.query.includes('labelSelector'))).toBe(true);

  await pod('c', 'cairn-api');
  await rApi.until(() => rApi.seen.length === 2);
  expect(rApi.seen).toEqual([['ADDED', 'b'], ['ADDED', 'c']]);
  expect(rWeb.seen).toEqual([['ADDED', 'a']]);
  expect(informers.stats()).toEqual({ informers: 1, leases: 2 });
  web.release();
  api.release();
  await cluster.counters.until(() => cluster.counters.openWatches() === 0 && informers.stats().informers === 0);
});

it('falls back to one informer per namespace when the cluster refuses to list across namespaces (403)', async () => {
  informers = createInformers(() => kc, { idleMs: 10, minBackoffMs: 10 });
  cluster.faults.failRequests({ verb: ['list', 'watch'], resource: 'pods', allNamespaces: true, code: 403 });
  await pod('a');
  const lease = informers.acquire('c', NS, 'pods');
  const r = recorder(lease);
  await lease.informer.whenSynced();
  expect([...lease.informer.cache.keys()]).toEqual(['a']);
  await pod('b');
  await r.until(() => r.seen.length === 2);
  expect(r.seen).toEqual([['ADDED', 'a'], ['ADDED', 'b']]);
  await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods', namespace: NS }) === 1);
  expect(cluster.counters.requests({ verb: 'list', resource: 'pods' }).map((q) => [q.namespace ?? '*', q.code])).toEqual([['*', 403], [NS, 200]]);
  expect(informers.stats()).toEqual({ informers: 1, leases: 1 });
  lease.release();
  await cluster.counters.until(() => cluster.counters.openWatches() === 0 && informers.stats().informers === 0);
});
