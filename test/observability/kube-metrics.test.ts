/** Kubernetes metrics against a sandbox API server: calls by verb and status, open watches, relists after 410 Gone. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BoundedKubeConfig } from '../../src/kube/bounded-kubeconfig.js';
import { DEFAULT_KUBE_TIMEOUTS } from '../../src/kube/kube-timeouts.js';
import { createInformers, type Informers } from '../../src/live/informers.js';
import { createKubeMetrics, statusLabel } from '../../src/observability/kube-metrics.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { sample } from './release-cairn.js';

const NS = 'cairn-metered';
let cluster: SandboxCluster;
let registry: Registry;
let kc: BoundedKubeConfig;
let informers: Informers | undefined;
let metrics: ReturnType<typeof createKubeMetrics>;

beforeEach(async () => {
  cluster = await startSandboxCluster({ name: 'metered', controllers: false, nodeAgent: false });
  registry = new Registry();
  metrics = createKubeMetrics(registry);
  const source = new KubeConfig();
  source.loadFromString(cluster.kubeconfig);
  kc = new BoundedKubeConfig(source, { cluster: 'metered', timeouts: DEFAULT_KUBE_TIMEOUTS, observe: metrics.call });
  informers = undefined;
});
afterEach(async () => {
  informers?.stop();
  await cluster.stop();
});

const text = () => registry.metrics();

describe('Kubernetes metrics', () => {
  it('count every API call by cluster, verb and status, with its latency', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    await core.readNamespace({ name: NS });
    await expect(core.readNamespace({ name: 'missing' })).rejects.toThrow();
    const t = await text();
    expect(sample(t, 'cairn_kube_requests_total', { cluster: 'metered', verb: 'create', status: '201' })).toBe(1);
    expect(sample(t, 'cairn_kube_requests_total', { cluster: 'metered', verb: 'get', status: '200' })).toBe(1);
    expect(sample(t, 'cairn_kube_requests_total', { cluster: 'metered', verb: 'get', status: '404' })).toBe(1);
    expect(sample(t, 'cairn_kube_request_duration_seconds_count', { cluster: 'metered', verb: 'get' })).toBe(2);
  });

  it('name a call that got no answer by why', () => {
    expect(statusLabel({ status: 503, failure: null })).toBe('503');
    expect(statusLabel({ status: null, failure: 'timeout' })).toBe('timeout');
    expect(statusLabel({ status: null, failure: 'cancelled' })).toBe('cancelled');
    expect(statusLabel({ status: null, failure: null })).toBe('error');
  });

  it('count the open watches and the relists after a 410 Gone', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    informers = createInformers(() => kc, { minBackoffMs: 10, observe: metrics.informer });
    const lease = informers.acquire('metered', NS, 'pods');
    await lease.informer.whenSynced();
    await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods' }) === 1);
    expect(sample(await text(), 'cairn_kube_watches_open', { cluster: 'metered', kind: 'pods' })).toBe(1);
    expect(sample(await text(), 'cairn_informer_relists_total', { cluster: 'metered', kind: 'pods' })).toBe(0);

    // The watch is down while the history is compacted: the next watch gets 410 Gone and the informer lists again.
    const lists = cluster.counters.count({ verb: 'list', resource: 'pods' });
    const slow = cluster.faults.addLatency({ verb: 'watch', resource: 'pods', ms: 300 });
    cluster.faults.dropWatches({ resource: 'pods' });
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'p', labels: { 'app.kubernetes.io/managed-by': 'cairn' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } });
    cluster.faults.compact();
    await cluster.counters.until(() => cluster.counters.count({ verb: 'list', resource: 'pods' }) > lists, 5000);
    slow();
    await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods' }) === 1, 5000);
    const t = await text();
    expect(sample(t, 'cairn_informer_relists_total', { cluster: 'metered', kind: 'pods' })).toBe(1);
    expect(sample(t, 'cairn_kube_watches_open', { cluster: 'metered', kind: 'pods' })).toBe(1);
    // The informer's lists are API calls too.
    expect(sample(t, 'cairn_kube_requests_total', { cluster: 'metered', verb: 'list', status: '200' })).toBe(2);

    informers.stop();
    informers = undefined;
    await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods' }) === 0);
    expect(sample(await text(), 'cairn_kube_watches_open', { cluster: 'metered', kind: 'pods' })).toBe(0);
  });
});
