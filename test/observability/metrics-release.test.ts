/** /metrics scraped around a release on the sandbox clusters: the counts move as the release does. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservability } from '../../src/observability/observability.js';
import { releaseOnce, sample, startReleaseCairn, type ReleaseCairn } from './release-cairn.js';

const TOKEN = 'metrics-token-0123456789';
let cairn: ReleaseCairn;

beforeAll(async () => {
  cairn = await startReleaseCairn(createObservability({ tracing: null }), TOKEN);
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

    await releaseOnce(cairn.client, 'metered');
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

    // Orders by state, counted in the database at scrape time.
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
    expect(sample(after, 'cairn_kube_watches_open', { cluster: 'e2e-production', kind: 'pods' })).toBe(1);
    expect(sample(after, 'cairn_kube_watches_open', { cluster: 'e2e-production' })).toBeGreaterThanOrEqual(3);
    expect(after).toContain('# TYPE cairn_informer_relists_total counter');
    expect(sample(after, 'cairn_release_instance_failures_total')).toBe(0);
  });
});
