/** The kube layer while the API server misbehaves: retries, errors as data, and the engine's environment watch (on the shared informers) recovering. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import type { Workloads } from '../../src/kube/workloads.js';
import { informerWatch } from '../../src/live/engine-watch.js';
import { createInformers } from '../../src/live/informers.js';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { nginxSettings, observeUntil, readyOf, target, workloadsFor } from './workloads-helpers.js';

let cluster: SandboxCluster;
let kube: Workloads;
let kc: KubeConfig;
const t = target('flaky-api');
const settings = nginxSettings();

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-faults', speed: 100 });
  ({ kube, kc } = workloadsFor(cluster.kubeconfig, { retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 } }));
  expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
});
afterAll(async () => {
  cluster?.faults.clear();
  await cluster?.stop();
});

/** The engine's environment watch, as main.ts wires it (on shared informers), with wake-ups that can be awaited. */
function watcher() {
  const ac = new AbortController();
  const informers = createInformers(() => kc, { timeoutSeconds: 5, minBackoffMs: 10, maxBackoffMs: 50, idleMs: 0 });
  let calls = 0;
  const waiters: { after: number; resolve: () => void }[] = [];
  const watching = informerWatch(informers, { debounceMs: 10 })(
    t,
    () => {
      calls++;
      for (const w of waiters.splice(0)) if (calls > w.after) w.resolve();
    },
    ac.signal,
  );
  const done = watching.finally(() => informers.stop());
  return {
    get calls() {
      return calls;
    },
    /** Resolves at the next wake-up after now (bounded by the test timeout). */
    next(): Promise<void> {
      const after = calls;
      return new Promise((resolve) => waiters.push({ after, resolve }));
    },
    async stop() {
      ac.abort();
      await done;
    },
  };
}

describe('against a misbehaving API server', () => {
  it('retries Unavailable answers', async () => {
    cluster.faults.failRequests({ verb: 'create', resource: 'deployments', code: 503, times: 2 });
    cluster.faults.failRequests({ verb: 'list', resource: 'pods', code: 500, times: 1 });
    expect((await kube.ensureRevision(t, { number: 1, image: 'nginx:latest', settings }, 1)).ok).toBe(true);
    await observeUntil(kube, t, (o) => readyOf(o, 1) === 1);
  });

  it('gives up after the capped attempts with Unavailable as data', async () => {
    const remove = cluster.faults.failRequests({ verb: 'patch', resource: 'deployments', code: 500 });
    try {
      expect(await kube.scaleRevision(t, 1, 2)).toMatchObject({ ok: false, error: { kind: 'Unavailable', status: 500 } });
    } finally {
      remove();
    }
  });

  it('keeps waking the reconciler across dropped watches and expired resource versions', async () => {
    const w = watcher();
    await w.next(); // the initial state
    // A broken watch resumes from the last version it saw: the change made after the break wakes us.
    expect(cluster.faults.dropWatches(undefined, { abrupt: true })).toBeGreaterThan(0);
    let woken = w.next();
    expect((await kube.scaleRevision(t, 1, 2)).ok).toBe(true);
    await woken;

    // The pods watch stays down while the cluster changes and its history is compacted: it comes
    // back with a resourceVersion that is gone (410), lists afresh, and wakes us.
    const refuse = cluster.faults.failRequests({ verb: 'watch', resource: 'pods', code: 500 });
    cluster.faults.dropWatches();
    expect((await kube.scaleRevision(t, 1, 1)).ok).toBe(true);
    await observeUntil(kube, t, (o) => o.revisions[0]?.desired === 1 && o.instances.filter((i) => !i.terminating).length === 1);
    // While its watch is refused the informer lists again and again: refuse those lists too, then change
    // the cluster, so that the version it last saw is older than the compaction (else its watch would
    // resume from the newest version, which a compaction leaves valid, as on a real API server).
    const refuseLists = cluster.faults.failRequests({ verb: 'list', resource: 'pods', code: 500 });
    await kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: t.namespace, body: { metadata: { name: 'after-the-last-list' } } });
    cluster.faults.compact();
    const compactedAt = Date.now();
    woken = w.next();
    refuseLists();
    refuse();
    await woken;
    const fresh = () =>
      cluster.counters
        .requests({ verb: 'list', resource: 'pods' })
        .some((r) => r.time.getTime() >= compactedAt && r.code === 200);
    await cluster.counters.until(fresh, 5_000);
    expect(fresh()).toBe(true);
    await observeUntil(kube, t, (o) => o.revisions[0]?.desired === 1);
    await w.stop();
  });

  it('survives a short outage of the API server', async () => {
    const outage = cluster.faults.unavailableFor(100);
    const w = watcher();
    await outage;
    const woken = w.next();
    expect((await kube.scaleRevision(t, 1, 2)).ok).toBe(true);
    await woken;
    await w.stop();
  });
});
