/**
 * 200 concurrent subscribers to one environment (150 over graphql-ws on 15 sockets, 50 over SSE):
 * one pod watch and one event watch for the namespace, every subscriber gets every change, and
 * once they all leave the hub holds nothing (no stream, no subscriber, no buffered or queued
 * event), the informers stop and their watches close. What is measured is those counts, not the heap
 * (bench/live-fanout.ts prints heap use with the subscribers open, with --expose-gc).
 */
import { afterEach, expect, it } from 'vitest';
import { INSTANCES_CHANGED, startLiveHarness, type LiveHarness, type Subscription } from './harness.js';

let h: LiveHarness;
afterEach(async () => {
  await h?.close();
});

it('200 subscribers share one pod watch, and leave nothing behind', async () => {
  // All 200 subscribe with the harness's one token: lift its subscription cap.
  h = await startLiveHarness({ config: { maxSubscriptionsPerToken: 250 } });
  for (const name of ['a', 'b', 'c']) await h.createPod(`web-production-r1-${name}`);

  const subs: Subscription[] = [];
  for (let socket = 0; socket < 15; socket++) {
    const client = h.wsClient();
    for (let n = 0; n < 10; n++) subs.push(h.ws(INSTANCES_CHANGED, { environment: h.env.id }, client));
  }
  for (let n = 0; n < 50; n++) subs.push(h.sse(INSTANCES_CHANGED, { environment: h.env.id }));
  const snapshots = await Promise.all(subs.map((s) => s.next()));
  expect(snapshots.every((s) => s.kind === 'SNAPSHOT' && s.instances.length === 3)).toBe(true);
  expect(h.live.hub.stats()).toMatchObject({ streams: 1, subscribers: 200 });

  // One watch per kind for the whole cluster (label-selected, across namespaces).
  expect(h.cluster.counters.openWatches({ resource: 'pods' })).toBe(1);
  expect(h.cluster.counters.openWatches({ resource: 'events' })).toBe(1);
  expect(h.cluster.counters.watches({ resource: 'pods' }).every((w) => w.namespace === undefined)).toBe(true);

  const version = await h.touchPod('web-production-r1-b', 'for everyone');
  const changes = await Promise.all(subs.map((s) => s.next()));
  expect(new Set(changes.map((c) => `${c.change} ${c.instance.name} ${c.instance.resourceVersion}`))).toEqual(new Set([`UPDATED web-production-r1-b ${version}`]));

  for (const s of subs) s.close();
  // The informers stop `idleMs` after the hub's stream (which lingers `lingerMs`) lets go of them; their watches then close.
  await h.cluster.counters.until(() => h.cluster.counters.openWatches() === 0);
  expect(h.live.hub.stats()).toMatchObject({ streams: 0, subscribers: 0, buffered: 0, queued: 0 });
  expect(h.live.informers.stats()).toEqual({ informers: 0, leases: 0 });
});
