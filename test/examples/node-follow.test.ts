/** examples/node/follow-release.mjs follows a release over graphql-ws, and stops at once on 4403. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, ownerToken, documentsRefused, type FreshCairn, gql, ROOT, runExample, startPersistedOnlyCairn } from './setup.js';

const FOLLOW = 'examples/node/follow-release.mjs';

describe('the Node example (graphql-ws)', () => {
  let cairn: FreshCairn;
  let orderId: string;
  /** An app owner's token on a cairn that runs persisted operations only for such tokens: the follower sends the hash. */
  let owner: Record<string, string>;

  beforeAll(async () => {
    cairn = await startPersistedOnlyCairn();
    const { app, test } = await createApp(cairn, 'node-shop');
    const token = await ownerToken(cairn, app, 'node-owner');
    expect(await documentsRefused(cairn, token)).toBe(true);
    owner = { CAIRN_TOKEN: token };
    const order = await gql(
      cairn,
      `mutation ($env: ID!) { createReleaseOrder(input: { environment: $env, batchCount: 2, pauseMode: FIRST_BATCH }) {
         __typename ... on ReleaseOrderPayload { releaseOrder { id } } } }`,
      { env: test },
    );
    orderId = order.data?.createReleaseOrder?.releaseOrder?.id;
    if (!orderId) throw new Error(`createReleaseOrder: ${JSON.stringify(order)}`);
  }, 90_000);
  afterAll(() => cairn?.stop(), 30_000);

  it('follows the order to its pause (exit 10), then, resumed, to COMPLETED (exit 0)', async () => {
    const paused = await runExample(cairn, process.execPath, [FOLLOW, orderId], owner);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(10);
    expect(paused.stdout).toMatch(/node-shop-test-r1-\S+ READY/);
    expect(paused.stdout.trim().split('\n').at(-1)).toBe('order PAUSED: 1 of 2 batches done');

    const resumed = await gql(cairn, 'mutation ($id: ID!) { resumeReleaseOrder(input: { id: $id }) { __typename } }', { id: orderId });
    expect(resumed.data.resumeReleaseOrder.__typename).toBe('ReleaseOrderPayload');
    const completed = await runExample(cairn, process.execPath, [FOLLOW, orderId], owner);
    expect(completed.code).toBe(0);
    expect(completed.stdout.trim().split('\n').at(-1)).toBe('order COMPLETED: 2 of 2 batches done');
  }, 180_000);

  it('stops on the first 4403 for a refused token, without retrying (exit 3)', async () => {
    const refusedBefore = closesWith4403(cairn.log());
    const run = await runExample(cairn, process.execPath, [FOLLOW, orderId], { CAIRN_TOKEN: 'cairn_not-a-token' });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/cairn refused the token: 4403 Forbidden/);
    // One connection, closed once: graphql-ws would otherwise retry it five times with back-off
    // before giving up (and the script would exit only then).
    await cairn.waitForLog((log) => closesWith4403(log) > refusedBefore);
    expect(closesWith4403(cairn.log()) - refusedBefore).toBe(1);
  });

  it("is answered by the hash of its persisted operation alone (examples/operations.persisted.json)", async () => {
    const ids = JSON.parse(readFileSync(join(ROOT, 'examples/operations.ids.json'), 'utf8')) as Record<string, string>;
    const res = await fetch(cairn.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cairn.token}` },
      body: JSON.stringify({ variables: { id: orderId }, extensions: { persistedQuery: { version: 1, sha256Hash: ids.ReleaseOrderState } } }),
    });
    const answer = (await res.json()) as { data?: { releaseOrder?: { id: string; state: string } }; errors?: unknown };
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.releaseOrder).toMatchObject({ id: orderId, state: 'COMPLETED' });
  });

  it('says how to call it', async () => {
    const run = await runExample(cairn, process.execPath, [FOLLOW]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage: follow-release\.mjs <order id>/);
  });
});

/** The graphql-ws sockets cairn has logged as closed with 4403. */
function closesWith4403(log: string): number {
  return log.split('\n').filter((line) => line.includes('"msg":"websocket closed"') && line.includes('"closeCode":4403')).length;
}
