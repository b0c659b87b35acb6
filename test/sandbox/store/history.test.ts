import { describe, it, expect } from 'vitest';
import { History } from '../../../src/sandbox/store/history.js';
import type { StoreEvent } from '../../../src/sandbox/store/types.js';
import { newStore, pod, storeError } from './helpers.js';

const ev = (key: string, rv: number): StoreEvent => ({
  type: 'ADDED',
  key,
  object: { apiVersion: 'v1', kind: 'X', metadata: { name: `o${rv}`, resourceVersion: String(rv) } },
});
const rvs = (events: StoreEvent[]) => events.map((e) => Number(e.object.metadata.resourceVersion));

describe('History', () => {
  it.each([
    [0, [1, 2, 3, 4, 5]],
    [3, [4, 5]],
    [5, []],
    [9, []],
  ])('since(%i)', (from, expected) => {
    const h = new History(10);
    for (let rv = 1; rv <= 5; rv++) h.record(ev('/pods', rv));
    h.record(ev('/configmaps', 6));
    expect(rvs(h.since('/pods', from))).toEqual(expected);
  });

  it('keeps a bounded window and answers older versions with 410', () => {
    const h = new History(3);
    for (let rv = 1; rv <= 10; rv++) h.record(ev('/pods', rv));
    expect(h.oldestVersion('/pods')).toBe(7);
    expect(rvs(h.since('/pods', 7))).toEqual([8, 9, 10]);
    const e = storeError(() => h.since('/pods', 6));
    expect([e.code, e.message]).toEqual([410, 'too old resource version: 6 (7)']);
  });

  it('compact drops everything up to now, for types with and without events', () => {
    const h = new History(100);
    for (let rv = 1; rv <= 5; rv++) h.record(ev('/pods', rv));
    h.compact(5);
    expect(h.since('/pods', 5)).toEqual([]);
    expect(storeError(() => h.since('/pods', 4)).message).toBe('too old resource version: 4 (5)');
    expect(storeError(() => h.since('/secrets', 2)).code).toBe(410);
    expect(h.oldestVersion()).toBe(5);
  });
});

describe('store.eventsSince', () => {
  it('replays what came after a version, then 410 after compaction', () => {
    const s = newStore({ historySize: 50 });
    const a = s.create('/pods', pod('a'));
    s.create('/pods', pod('b'));
    s.delete('/pods', 'default', 'a');
    const events = s.eventsSince('/pods', a.metadata.resourceVersion!);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a']);
    s.compact();
    expect(s.oldestVersion('/pods')).toBe(s.currentVersion());
    const e = storeError(() => s.eventsSince('/pods', a.metadata.resourceVersion!));
    expect(e.code).toBe(410);
    expect(e.message).toBe(`too old resource version: ${a.metadata.resourceVersion} (${s.currentVersion()})`);
    expect(s.eventsSince('/pods', s.currentVersion())).toEqual([]);
  });

  it('rejects a resourceVersion that is not a number', () => {
    expect(storeError(() => newStore().eventsSince('/pods', 'abc')).code).toBe(400);
  });
});
