/** /metrics scraped around a release on the sandbox clusters: the counts move as the release does. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservability, type Observability } from '../../src/observability/observability.js';
import { releaseOnce, sample, startReleaseCairn, type ReleaseCairn } from './release-cairn.js';

const TOKEN = 'metrics-token-0123456789';
let cairn: ReleaseCairn;
/** The informers' watches open now, by `cluster/kind`, and who waits for one to open. */
const open = new Map<string, number>();
const waiting = new Map<string, Array<() => void>>();

/** Counts the informers' open watches beside cairn's own gauge (to know when a watch is open, not reopening). */
function withWatchCount(observability: Observability): Observability {
  const observe = observability.informers;
  observability.informers = (cluster, kind) => {
    const inner = observe(cluster, kind);
    const key = `${cluster}/${kind}`;
    return {
      listed: inner.listed,
      watching() {
        const closed = inner.watching();
        open.set(key, (open.get(key) ?? 0) + 1);
        for (const resolve of waiting.get(key)?.splice(0) ?? []) resolve();
        return () => {
          closed();
          open.set(key, (open.get(key) ?? 0) - 1);
        };
      },
    };
  };
  return observability;
}

/** Resolves once a watch of `cluster/kind` is open (at once when one is). */
const watchOpen = (key: string) =>
  (open.get(key) ?? 0) > 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(key, [...(waiting.get(key) ?? []), resolve]));

beforeAll(async () => {
  // Orders counted at every scrape (ordersCacheMs 0): this test scrapes before and right after a release.
  cairn = await startReleaseCairn(withWatchCount(createObservability({ tracing: null, ordersCacheMs: 0 })), TOKEN);
});
afterAll(async () => {
  await cairn?.stop();
});

const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
  const res = await fetch(`${cairn.origin}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), challenge: res.headers.get('www-authenticate') };
};

describe('/metrics', () => {
  it('asks for the bearer token when CAIRN_METRICS_TOKEN is set', async () => {
    expect(await scrape({})).toMatchObject({ status: 401, challenge: expect.stringContaining('Bearer') });
    expect((await scrape({ authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.type).toContain('text/plain');
    // Process metrics and the event-loop lag, on the cairn's own registry.
    expect(sample(ok.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(ok.text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('counts one release: operations by name, Kubernetes calls, orders by state, batch durations, watches', async () => {
    const before = (await scrape()).text;
    expect(sample(before, 'cairn_release_orders', { state: 'COMPLETED' })).toBe(0);

    await releaseOnce(cairn, 'metered');
    const named = await cairn.client.gql('query ClusterNames { clusters { name } }');
    expect(named.data?.clusters).toHaveLength(2);
    // The engine's last pass (pruning) may still run: wait for it, so that the counts are final.
    await cairn.app.reconciler.idle();
    const after = (await scrape()).text;

    // GraphQL operations by name and outcome (the end-to-end operations are anonymous), with latency.
    expect(sample(after, 'cairn_graphql_operations_total', { operation: 'ClusterNames', type: 'query', outcome: 'success' })).toBe(1);
    expect(sample(after, 'cairn_graphql_operation_duration_seconds_count', { operation: 'ClusterNames', type: 'query' })).toBe(1);
    expect(sample(after, 'cairn_graphql_operations_total', { type: 'mutation', outcome: 'success' })).toBeGreaterThanOrEqual(4);
    expect(sample(after, 'cairn_graphql_operations_total', { type: 'query', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'cairn_graphql_operation_duration_seconds_count', { type: 'mutation' })).toBe(
      sample(after, 'cairn_graphql_operations_total', { type: 'mutation' }),
    );

    // Orders by state, counted in the database.
    expect(sample(after, 'cairn_release_orders', { state: 'COMPLETED' })).toBe(1);
    expect(sample(after, 'cairn_release_orders', { state: 'DEPLOYING' })).toBe(0);
    // Two batches, each observed once, forward.
    expect(sample(after, 'cairn_release_batch_duration_seconds_count', { direction: 'FORWARD' })).toBe(2);
    expect(sample(after, 'cairn_release_batch_duration_seconds_sum', { direction: 'FORWARD' })).toBeGreaterThan(0);

    // The engine's writes to the production cluster: the Deployment created, the namespace and Services set up.
    const created = (s: string) => sample(s, 'cairn_kube_requests_total', { cluster: 'e2e-production', verb: 'create', status: '201' });
    expect(created(after) - created(before)).toBeGreaterThanOrEqual(2);
    const lists = (s: string) => sample(s, 'cairn_kube_requests_total', { cluster: 'e2e-production', verb: 'list', status: '200' });
    expect(lists(after)).toBeGreaterThan(lists(before));
    expect(sample(after, 'cairn_kube_request_duration_seconds_count', { cluster: 'e2e-production' })).toBe(
      sample(after, 'cairn_kube_requests_total', { cluster: 'e2e-production' }),
    );
    // The shared informers watch pods, events and deployments of the production cluster.
    // One pods watch: read the gauge the moment a watch is open (between a watch's end and the next it may be 0).
    await watchOpen('e2e-production/pods');
    const watches = await cairn.app.observability.metrics.registry.getSingleMetric('cairn_kube_watches_open')!.get();
    expect(watches.values.filter((v) => v.labels.cluster === 'e2e-production' && v.labels.kind === 'pods').map((v) => v.value)).toEqual([1]);
    expect(sample(after, 'cairn_kube_watches_open', { cluster: 'e2e-production' })).toBeGreaterThanOrEqual(3);
    expect(after).toContain('# TYPE cairn_informer_relists_total counter');
    expect(sample(after, 'cairn_release_instance_failures_total')).toBe(0);
  });
});
