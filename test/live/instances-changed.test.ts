/** instancesChanged over graphql-ws and SSE: snapshot first, every change in order, cursors that resume without a gap. */
import { afterEach, describe, expect, it } from 'vitest';
import { INSTANCES_CHANGED, startLiveHarness, type LiveHarness } from './harness.js';

let h: LiveHarness;
afterEach(async () => {
  await h?.close();
});

describe.each(['ws', 'sse'] as const)('instancesChanged over %s', (transport) => {
  it('sends a snapshot, then every change in the order the API server made them', async () => {
    h = await startLiveHarness();
    await h.createPod('web-production-r1-a');
    await h.createPod('other-app-pod', { 'cairn.dev/app': 'other' });
    const sub = h[transport](INSTANCES_CHANGED, { environment: h.env.id });
    const snapshot = await sub.next();
    expect(snapshot.kind).toBe('SNAPSHOT');
    expect(snapshot.instances.map((i: any) => [i.name, i.status, i.revision])).toEqual([['web-production-r1-a', 'PENDING', 1]]);

    const versions: string[] = [];
    await h.createPod('web-production-r1-b');
    for (let step = 0; step < 15; step++) versions.push(await h.touchPod(step % 2 ? 'web-production-r1-a' : 'web-production-r1-b', String(step)));
    await h.deletePod('web-production-r1-a');

    const added = await sub.next();
    expect(added).toMatchObject({ kind: 'INSTANCE_CHANGED', change: 'ADDED', instance: { name: 'web-production-r1-b' } });
    const updates = await sub.take(15);
    expect(updates.map((u) => u.instance.resourceVersion)).toEqual(versions);
    expect(updates.every((u) => u.change === 'UPDATED')).toBe(true);
    const removed = await sub.next();
    expect(removed).toMatchObject({ change: 'REMOVED', instance: { name: 'web-production-r1-a' } });
    // Cursors grow in delivery order.
    const seqs = [added, ...updates, removed].map((e) => Number(e.cursor.split(':').pop()));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    sub.close();
  });

  it('resumes after a cursor with exactly what was missed', async () => {
    // The stream must outlive the gap between the first subscriber leaving and the second coming back:
    // with the harness's 100 ms linger a loaded machine stopped it in between (the second then got
    // BUFFER_EXCEEDED + a snapshot of a new stream, and waited for five events that had gone with the old one).
    h = await startLiveHarness({ hub: { lingerMs: 60_000 } });
    await h.createPod('web-production-r1-a');
    const first = h[transport](INSTANCES_CHANGED, { environment: h.env.id });
    await first.next();
    await h.touchPod('web-production-r1-a', 'seen');
    const seen = await first.next();
    first.close();

    const missed = [];
    for (let step = 0; step < 5; step++) missed.push(await h.touchPod('web-production-r1-a', `missed-${step}`));
    const again = h[transport](INSTANCES_CHANGED, { environment: h.env.id, after: seen.cursor });
    const replayed = await again.take(5);
    expect(replayed.map((e) => [e.kind, e.instance.resourceVersion])).toEqual(missed.map((v) => ['INSTANCE_CHANGED', v]));
    const live = await h.touchPod('web-production-r1-a', 'live');
    expect((await again.next()).instance.resourceVersion).toBe(live);
    again.close();
  });
});

describe('instancesChanged when events cannot be replayed', () => {
  it('sends BUFFER_EXCEEDED and a fresh snapshot, never a silent gap', async () => {
    h = await startLiveHarness({ hub: { bufferSize: 3, lingerMs: 60_000 } });
    await h.createPod('web-production-r1-a');
    const first = h.sse(INSTANCES_CHANGED, { environment: h.env.id });
    const snapshot = await first.next();
    first.close();
    let last = '';
    for (let step = 0; step < 6; step++) last = await h.touchPod('web-production-r1-a', `step-${step}`);
    await h.createPod('web-production-r1-b');

    const again = h.ws(INSTANCES_CHANGED, { environment: h.env.id, after: snapshot.cursor });
    const [marker, fresh] = await again.take(2);
    expect(marker).toMatchObject({ kind: 'BUFFER_EXCEEDED', missedFrom: snapshot.cursor });
    expect(fresh.kind).toBe('SNAPSHOT');
    expect(fresh.instances.map((i: any) => i.name)).toEqual(['web-production-r1-a', 'web-production-r1-b']);
    expect(Number(fresh.instances[0].resourceVersion)).toBeGreaterThanOrEqual(Number(last));
    again.close();

    // A cursor that is not one of this stream's: the same.
    const stranger = h.sse(INSTANCES_CHANGED, { environment: h.env.id, after: 'nonsense:12' });
    expect((await stranger.take(2)).map((e) => e.kind)).toEqual(['BUFFER_EXCEEDED', 'SNAPSHOT']);
    stranger.close();
  });

  it('ends at once for an ID that names no environment', async () => {
    h = await startLiveHarness();
    const sub = h.ws(INSTANCES_CHANGED, { environment: 'bm9wZToz' });
    await expect(sub.next()).rejects.toThrow('ended');
  });
});
