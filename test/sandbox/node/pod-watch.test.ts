/**
 * The node agent's pod watch (src/sandbox/node/pod-watch.ts) ends as soon as it is aborted: during a
 * list that never answers and during its back-off after an error (which grows to 30 s otherwise).
 */
import { describe, expect, it } from 'vitest';
import type { Api } from '../../../src/sandbox/node/api.js';
import { watchNodePods } from '../../../src/sandbox/node/pod-watch.js';

const handler = { sync: () => {}, event: () => {} };
const apiListing = (list: () => Promise<unknown>) => ({ core: { listPodForAllNamespaces: list } }) as unknown as Api;

describe('the pod watch', () => {
  it('ends on abort while its list call hangs', async () => {
    const controller = new AbortController();
    let listed!: () => void;
    const listing = new Promise<void>((r) => (listed = r));
    const done = watchNodePods(
      apiListing(() => {
        listed();
        return new Promise(() => {});
      }),
      'node-a',
      handler,
      controller.signal,
    );
    await listing;
    controller.abort();
    await expect(done).resolves.toBeUndefined();
  });

  it('ends on abort during its back-off, without listing again', async () => {
    const controller = new AbortController();
    let lists = 0;
    const done = watchNodePods(
      apiListing(async () => {
        lists++;
        throw new Error('unavailable');
      }),
      'node-b',
      handler,
      controller.signal,
      // The log line comes just before the back-off sleep: abort then, while it waits.
      { log: () => queueMicrotask(() => controller.abort()) },
    );
    await expect(done).resolves.toBeUndefined();
    expect(lists).toBe(1);
  });
});
