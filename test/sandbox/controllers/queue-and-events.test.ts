import { describe, expect, it } from 'vitest';
import { createClock } from '../../../src/sandbox/clock.js';
import { createStore } from '../../../src/sandbox/store/store.js';
import { StoreError } from '../../../src/sandbox/store/types.js';
import { createWorkQueue } from '../../../src/sandbox/controllers/queue.js';
import { createEventFactory } from '../../../src/sandbox/controllers/events.js';

/** Resolves when `check` holds, polling every few ms, within a bound. */
async function until(check: () => boolean, timeoutMs = 2_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('work queue', () => {
  it('deduplicates keys added before they are processed, and runs syncs outside the caller', async () => {
    const seen: string[] = [];
    const q = createWorkQueue({ name: 't', allKeys: () => ['a', 'b'], sync: (k) => void seen.push(k) }, createClock(1000), { resyncMs: 60_000 });
    q.add('a');
    q.add('a');
    q.add('b');
    expect(seen).toEqual([]);
    await until(() => seen.length === 2);
    expect(seen).toEqual(['a', 'b']);
    q.resync();
    await until(() => seen.length === 4);
    q.stop();
  });

  it('looks again after a requested simulated delay, and retries errors with back-off', async () => {
    const seen: string[] = [];
    let failures = 2;
    const errors: unknown[] = [];
    const q = createWorkQueue(
      {
        name: 't',
        allKeys: () => [],
        sync: (k) => {
          seen.push(k);
          if (k === 'later' && seen.filter((x) => x === 'later').length === 1) return 5_000; // 5 simulated seconds = 5 ms
          if (k === 'flaky' && failures-- > 0) throw new StoreError(409, 'Conflict', 'try again');
          return undefined;
        },
      },
      createClock(1000),
      { resyncMs: 60_000, onError: (_c, _k, e) => errors.push(e) },
    );
    q.add('later');
    q.add('flaky');
    await until(() => seen.filter((x) => x === 'later').length === 2 && seen.filter((x) => x === 'flaky').length === 3);
    expect(errors).toHaveLength(2);
    q.stop();
  });

  it('does nothing once stopped', async () => {
    const seen: string[] = [];
    const q = createWorkQueue({ name: 't', allKeys: () => ['x'], sync: (k) => void seen.push(k) }, createClock(1000), { resyncMs: 60_000 });
    q.stop();
    q.add('x');
    q.resync();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
  });
});

describe('events', () => {
  it('writes core/v1 Events named <object>.<hex>, and aggregates repeats into count/lastTimestamp', () => {
    const clock = createClock(1);
    const store = createStore(clock);
    const pod = store.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const rec = createEventFactory(store, clock).recorder('default-scheduler');
    rec.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
    rec.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.');
    rec.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Too many pods.');
    const events = store.list('/events', { namespace: 'default' }).items;
    expect(events).toHaveLength(2);
    const first = events.find((e) => (e.message as string).includes('cpu'))!;
    expect(first.metadata.name).toMatch(/^p\.[0-9a-f]{16}$/);
    expect(first).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      type: 'Warning',
      reason: 'FailedScheduling',
      count: 2,
      source: { component: 'default-scheduler' },
      reportingComponent: 'default-scheduler',
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'p', uid: pod.metadata.uid, apiVersion: 'v1', resourceVersion: pod.metadata.resourceVersion },
    });
    expect(first.firstTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('puts events about cluster-scoped objects in the default namespace and never throws', () => {
    const clock = createClock(1);
    const store = createStore(clock);
    const node = store.create('/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    const rec = createEventFactory(store, clock).recorder('x');
    rec.event(node, 'Normal', 'Something', 'happened');
    expect(store.list('/events', { namespace: 'default' }).items[0]!.involvedObject).toMatchObject({ kind: 'Node', name: 'n1' });
    expect(() => rec.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ghost', namespace: 'no-such-namespace' } }, 'Normal', 'X', 'y')).not.toThrow();
  });
});
