/**
 * releaseOrderFeed during a real release: the engine (its environment watch on the shared informers,
 * resync only every minute) releases 2 instances in 2 batches on a sandbox cluster, and one SSE
 * stream shows it all in order — instances appearing and becoming Ready, batch progress, completion.
 */
import { afterEach, expect, it } from 'vitest';
import { startLiveHarness, type LiveHarness } from './harness.js';

let h: LiveHarness;
afterEach(async () => {
  await h?.close();
});

const FEED = `subscription ($id: ID!) {
  releaseOrderFeed(id: $id) {
    kind cursor
    ... on ReleaseOrderSnapshot { releaseOrder { state } }
    ... on ReleaseOrderProgress { releaseOrder { state batchesDone } }
    ... on InstanceChanged { change instance { name status revision } }
    ... on SystemEventReceived { event { reason } }
  }
}`;

it('follows a release from submission to completion, driven by the shared informers', async () => {
  h = await startLiveHarness({ engine: true });
  const read = await h.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { config { version } } } }`, { id: h.env.id });
  const probe = { http: { path: '/', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
  const updated = await h.gql(`mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename } }`, {
    input: { environment: h.env.id, version: read.data.node.config.version, config: { officialImage: 'NGINX', instances: 2, ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }], readinessProbe: probe, terminationGracePeriodSeconds: 1 } },
  });
  expect(updated.data.updateDeploymentConfig.__typename).toBe('UpdateDeploymentConfigPayload');
  await h.gql(`mutation ($input: SetImageTagInput!) { setImageTag(input: $input) { __typename } }`, { input: { environment: h.env.id, imageTag: '1.25' } });
  const created = await h.gql(`mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { id } } } }`, {
    input: { environment: h.env.id, batchCount: 2, pauseMode: 'NONE' },
  });
  const id = created.data.createReleaseOrder.releaseOrder.id;

  const feed = h.sse(FEED, { id });
  const seen: any[] = [await feed.next()];
  expect(seen[0].kind).toBe('SNAPSHOT');
  while (!(seen.at(-1).kind === 'RELEASE_ORDER_PROGRESS' && seen.at(-1).releaseOrder.state === 'COMPLETED')) seen.push(await feed.next());
  feed.close();

  const seqs = seen.map((e) => Number(e.cursor.split(':').pop()));
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  const ready = seen.filter((e) => e.kind === 'INSTANCE_CHANGED' && e.instance.status === 'READY').map((e) => e.instance.name);
  expect(new Set(ready).size).toBe(2);
  const added = seen.filter((e) => e.kind === 'INSTANCE_CHANGED' && e.change === 'ADDED');
  expect(added).toHaveLength(2);
  const progress = seen.filter((e) => e.kind === 'RELEASE_ORDER_PROGRESS').map((e) => e.releaseOrder.batchesDone);
  expect(progress).toContain(1);
  expect(progress.at(-1)).toBe(2);
  // Both instances were Ready before the order completed.
  const lastReady = Math.max(...seen.flatMap((e, i) => (e.kind === 'INSTANCE_CHANGED' && e.instance.status === 'READY' ? [i] : [])));
  expect(lastReady).toBeLessThan(seen.length - 1);
}, 30_000);
