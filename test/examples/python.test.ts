/** examples/python/release.py (standard library only) submits a release and follows it over SSE. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, ownerToken, documentsRefused, type FreshCairn, gql, runExample, startPersistedOnlyCairn } from './setup.js';

describe('the Python example (SSE)', () => {
  let cairn: FreshCairn;
  /** An app owner's token on a cairn that runs persisted operations only for such tokens: the script sends hashes. */
  let owner: Record<string, string>;

  beforeAll(async () => {
    cairn = await startPersistedOnlyCairn();
    const { app } = await createApp(cairn, 'py-shop');
    const token = await ownerToken(cairn, app, 'py-owner');
    expect(await documentsRefused(cairn, token)).toBe(true);
    owner = { CAIRN_TOKEN: token };
  }, 90_000);
  afterAll(() => cairn?.stop(), 30_000);

  it('releases a tag and follows the order to COMPLETED', async () => {
    const run = await runExample(cairn, 'python3', ['examples/python/release.py', 'py-shop', 'TEST', '2.7.18', '--batches', '2'], owner);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/imageTag: .* -> 2\.7\.18/);
    expect(run.stdout).toMatch(/order \S+: revision 1 \(springboot2:2\.7\.18\), batches of 1, 1/);
    expect(run.stdout).toMatch(/READY/);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('order COMPLETED: 2 of 2 batches done');
  }, 180_000);

  it('stops at a pause with exit 10, and follows the resumed order with --follow', async () => {
    const paused = await runExample(cairn, 'python3', ['examples/python/release.py', 'py-shop', 'TEST', '2.7', '--pause-mode', 'FIRST_BATCH'], owner);
    expect(paused.code).toBe(10);
    expect(paused.stdout.trim().split('\n').at(-1)).toBe('order PAUSED: 1 of 2 batches done');
    const orderId = /order (\S+): revision 2/.exec(paused.stdout)![1]!;
    const resumed = await gql(cairn, 'mutation ($id: ID!) { resumeReleaseOrder(input: { id: $id }) { __typename } }', { id: orderId });
    expect(resumed.data.resumeReleaseOrder.__typename).toBe('ReleaseOrderPayload');
    const followed = await runExample(cairn, 'python3', ['examples/python/release.py', '--follow', orderId], owner);
    expect(followed.code).toBe(0);
    expect(followed.stdout.trim().split('\n').at(-1)).toBe('order COMPLETED: 2 of 2 batches done');
  }, 180_000);

  it('reports a tag that cannot be pulled and exits 1', async () => {
    const run = await runExample(cairn, 'python3', ['examples/python/release.py', 'py-shop', 'TEST', '2.7.19'], owner);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/order FAILED/);
  }, 180_000);

  it('says what cairn answered to a bad token', async () => {
    const run = await runExample(cairn, 'python3', ['examples/python/release.py', '--follow', 'T3JkZXI6MQ=='], { CAIRN_TOKEN: 'cairn_not-a-token' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cairn answered 401: .*UNAUTHENTICATED/);
  });
});
