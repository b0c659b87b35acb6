/** The node agent survives a flaky API server: dropped watches, compacted history, outages, failing writes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../src/sandbox/node/api.js';
import { fastCluster, status, waitForPod, type TestCluster } from './helpers.js';

let t: TestCluster;
beforeAll(async () => {
  t = await fastCluster(100);
});
afterAll(async () => {
  await t?.stop();
});

const pod = (name: string) => ({ metadata: { name }, spec: { nodeName: t.node, containers: [{ name: 'app', image: 'cairn/demo:v1' }] } });

describe('node agent resilience', () => {
  it('re-lists after its watch is dropped and the history compacted (410 Gone)', async () => {
    await t.core.createNamespacedPod({ namespace: 'default', body: pod('before') });
    await waitForPod(t, 'before', (p) => Boolean(status(p)?.state?.running));
    t.cluster.faults.compact();
    expect(t.cluster.faults.dropWatches(undefined, { abrupt: true })).toBeGreaterThan(0);
    await t.core.createNamespacedPod({ namespace: 'default', body: pod('after-drop') });
    await waitForPod(t, 'after-drop', (p) => Boolean(status(p)?.state?.running));
  });

  it('comes back after the API server was down', async () => {
    await t.cluster.faults.unavailableFor(300);
    await t.core.createNamespacedPod({ namespace: 'default', body: pod('after-outage') });
    await waitForPod(t, 'after-outage', (p) => Boolean(status(p)?.state?.running), 'pod after-outage running', 20_000);
  });

  it('retries status writes that fail', async () => {
    const off = t.cluster.faults.failRequests({ verb: 'patch', resource: 'pods', subresource: 'status', code: 503, times: 3 });
    await t.core.createNamespacedPod({ namespace: 'default', body: pod('flaky-writes') });
    await waitForPod(t, 'flaky-writes', (p) => Boolean(status(p)?.state?.running), 'pod flaky-writes running', 20_000);
    off();
  });

  it('abandons an API call the server accepts and never answers, after its bound', async () => {
    const api = createApi(t.cluster.kubeconfig, { callTimeoutMs: 200 });
    const off = t.cluster.faults.hangRequests({ verb: 'get', resource: 'namespaces', name: 'default', times: 1 });
    try {
      await expect(api.core.readNamespace({ name: 'default' })).rejects.toThrow();
      // The rule is spent: the next call is answered.
      expect((await api.core.readNamespace({ name: 'default' })).metadata?.name).toBe('default');
    } finally {
      off();
      api.close();
    }
  });

  it('keeps the node Ready: the lease is renewed', async () => {
    const { CoordinationV1Api } = await import('@kubernetes/client-node');
    const api = t.kc.makeApiClient(CoordinationV1Api);
    const before = await api.readNamespacedLease({ name: t.node, namespace: 'kube-node-lease' });
    await t.cluster.clock.sleep(25_000);
    const after = await api.readNamespacedLease({ name: t.node, namespace: 'kube-node-lease' });
    expect(new Date(after.spec!.renewTime!).getTime()).toBeGreaterThan(new Date(before.spec!.renewTime!).getTime());
  });
});
