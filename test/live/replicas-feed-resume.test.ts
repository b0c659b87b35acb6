/**
 * releaseOrderFeed resumed with a cursor of another replica, over GraphQL: a cursor names the order's version (a
 * database value) beside its hub position, so another replica — here, a cursor whose hub epoch this process never
 * gave, as another replica's would be — answers it with a SNAPSHOT and no BUFFER_EXCEEDED when the order has that
 * version, and with BUFFER_EXCEEDED and a snapshot when it names a version the order never had.
 */
import { afterEach, expect, it } from 'vitest';
import { startLiveHarness, type LiveHarness } from './harness.js';

let h: LiveHarness;
afterEach(async () => {
  await h?.close();
});

const FEED = `subscription ($id: ID!, $after: String) {
  releaseOrderFeed(id: $id, after: $after) {
    __typename kind cursor
    ... on ReleaseOrderSnapshot { releaseOrder { id state } instances { name } }
    ... on ReleaseOrderProgress { releaseOrder { state } }
    ... on InstanceChanged { change instance { name } }
    ... on BufferExceeded { missedFrom }
  }
}`;

it('a cursor of another replica resumes with a snapshot (no BUFFER_EXCEEDED); one naming a version the order never had does not', async () => {
  h = await startLiveHarness({ hub: { lingerMs: 10_000 } });
  await h.createPod('web-production-r1-a');
  const created = await h.gql(
    `mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { id } } } }`,
    { input: { environment: h.env.id, batchCount: 1, pauseMode: 'NONE' } },
  );
  const id = created.data.createReleaseOrder.releaseOrder.id as string;

  const feed = h.ws(FEED, { id });
  const snapshot = await feed.next();
  expect(snapshot.kind).toBe('SNAPSHOT');
  const rolledBack = await h.gql(`mutation ($input: RollbackReleaseOrderInput!) { rollbackReleaseOrder(input: $input) { __typename } }`, { input: { id } });
  expect(rolledBack.data?.rollbackReleaseOrder.__typename).toBe('ReleaseOrderPayload');
  const progress = await feed.next();
  expect(progress).toMatchObject({ kind: 'RELEASE_ORDER_PROGRESS', releaseOrder: { state: 'ROLLING_BACK' } });
  feed.close();
  // v<version>~<epoch>:<sequence>; the hub's position stays the last number.
  const match = /^v(\d+)~([A-Za-z0-9_-]+):(\d+)$/.exec(progress.cursor);
  expect(match).not.toBeNull();

  // The same position as another replica's hub would name it: an epoch this process never gave.
  const elsewhere = `v${match![1]}~another-replica:${match![3]}`;
  const resumed = h.ws(FEED, { id, after: elsewhere });
  expect(await resumed.next()).toMatchObject({ kind: 'SNAPSHOT', releaseOrder: { id, state: 'ROLLING_BACK' }, instances: [{ name: 'web-production-r1-a' }] });
  resumed.close();

  // A version the order never had: not one of its cursors.
  const future = `v${Number(match![1]) + 100}~another-replica:${match![3]}`;
  const refused = h.ws(FEED, { id, after: future });
  expect(await refused.next()).toMatchObject({ kind: 'BUFFER_EXCEEDED', missedFrom: future });
  expect(await refused.next()).toMatchObject({ kind: 'SNAPSHOT', releaseOrder: { state: 'ROLLING_BACK' } });
  refused.close();

  // And on this replica, its own cursor still resumes exactly.
  await h.deletePod('web-production-r1-a');
  const again = h.ws(FEED, { id, after: progress.cursor });
  expect(await again.next()).toMatchObject({ kind: 'INSTANCE_CHANGED', change: 'REMOVED', instance: { name: 'web-production-r1-a' } });
  again.close();
});
