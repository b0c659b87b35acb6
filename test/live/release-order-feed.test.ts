/** releaseOrderFeed: the order's progress, its instances' changes and their Warning events, in one stream with cursors. */
import { afterEach, describe, expect, it } from 'vitest';
import { INSTANCE_FIELDS, startLiveHarness, type LiveHarness } from './harness.js';

let h: LiveHarness;
afterEach(async () => {
  await h?.close();
});

const FEED = `subscription ($id: ID!, $after: String) {
  releaseOrderFeed(id: $id, after: $after) {
    __typename kind cursor
    ... on ReleaseOrderSnapshot { releaseOrder { id state } instances { ${INSTANCE_FIELDS} } events { reason } }
    ... on ReleaseOrderProgress { releaseOrder { state batchesDone } }
    ... on InstanceChanged { change instance { name } }
    ... on SystemEventReceived { event { type reason instanceName } }
    ... on BufferExceeded { missedFrom }
  }
}`;

async function submitOrder(harness: LiveHarness): Promise<string> {
  const res = await harness.gql(
    `mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { id } } } }`,
    { input: { environment: harness.env.id, batchCount: 1, pauseMode: 'NONE' } },
  );
  const id = res.data?.createReleaseOrder?.releaseOrder?.id;
  if (!id) throw new Error(JSON.stringify(res));
  return id;
}

describe.each(['ws', 'sse'] as const)('releaseOrderFeed over %s', (transport) => {
  it('streams order progress, instance changes and Warning events in order, and resumes by cursor', async () => {
    h = await startLiveHarness({ hub: { lingerMs: 10_000 } });
    await h.createPod('web-production-r1-a');
    await h.createEvent('web-production-r1-a', 'Warning', 'Earlier', 'a warning before');
    const orderId = await submitOrder(h);

    const feed = h[transport](FEED, { id: orderId });
    const snapshot = await feed.next();
    expect(snapshot).toMatchObject({ __typename: 'ReleaseOrderSnapshot', kind: 'SNAPSHOT', releaseOrder: { id: orderId, state: 'DEPLOYING' }, events: [{ reason: 'Earlier' }] });
    expect(snapshot.instances.map((i: any) => i.name)).toEqual(['web-production-r1-a']);

    await h.createPod('web-production-r1-b');
    await h.createEvent('web-production-r1-b', 'Normal', 'Scheduled', 'not shown: only Warnings');
    await h.createEvent('web-production-r1-b', 'Warning', 'FailedPull', 'cannot pull');
    // The Warning also changes the instance (its latest warning is part of its failure classification).
    const [added, warning, updated] = await feed.take(3);
    expect(updated).toMatchObject({ kind: 'INSTANCE_CHANGED', change: 'UPDATED', instance: { name: 'web-production-r1-b' } });
    expect(added).toMatchObject({ kind: 'INSTANCE_CHANGED', change: 'ADDED', instance: { name: 'web-production-r1-b' } });
    expect(warning).toMatchObject({ kind: 'SYSTEM_EVENT', event: { type: 'Warning', reason: 'FailedPull', instanceName: 'web-production-r1-b' } });

    // An action that wakes the engine (here a stand-in that publishes to the engine's order hub, as the reconciler does after each pass).
    const rolledBack = await h.gql(`mutation ($input: RollbackReleaseOrderInput!) { rollbackReleaseOrder(input: $input) { __typename } }`, { input: { id: orderId } });
    expect(rolledBack.data?.rollbackReleaseOrder.__typename).toBe('ReleaseOrderPayload');
    const progress = await feed.next();
    expect(progress).toMatchObject({ __typename: 'ReleaseOrderProgress', kind: 'RELEASE_ORDER_PROGRESS', releaseOrder: { state: 'ROLLING_BACK' } });
    feed.close();

    // Back after a break: exactly what was missed, then live.
    await h.deletePod('web-production-r1-a');
    const again = h[transport](FEED, { id: orderId, after: progress.cursor });
    expect(await again.next()).toMatchObject({ kind: 'INSTANCE_CHANGED', change: 'REMOVED', instance: { name: 'web-production-r1-a' } });
    again.close();
  });
});
