/**
 * The watch history: per resource type, a bounded window of past events (like the API server's watch
 * cache), so that a watch from an old resourceVersion replays what came after it, and a watch from
 * before the window fails with 410 `too old resource version: 12 (345)`.
 *
 * Events are kept by reference; the store never mutates an object after writing it.
 */
import type { ResourceKey, StoreEvent } from './types.js';
import { tooOld } from './errors.js';

interface Window {
  /** The retained events are events[start..]; the dropped ones before `start` are cut off in bulk. */
  events: StoreEvent[];
  start: number;
  /** Every event with a resourceVersion greater than this is retained. */
  after: number;
}

export const rvOf = (e: StoreEvent): number => Number(e.object.metadata.resourceVersion);

export class History {
  private readonly windows = new Map<ResourceKey, Window>();
  /** Versions at or below this were compacted away for every type, including ones with no events yet. */
  private compactedTo = 0;

  constructor(readonly limit = 1000) {
    if (!(limit > 0)) throw new RangeError(`history limit must be positive, got ${limit}`);
  }

  private window(key: ResourceKey): Window {
    let w = this.windows.get(key);
    if (!w) {
      w = { events: [], start: 0, after: this.compactedTo };
      this.windows.set(key, w);
    }
    return w;
  }

  record(event: StoreEvent): void {
    const w = this.window(event.key);
    w.events.push(event);
    if (w.events.length - w.start > this.limit) {
      w.after = rvOf(w.events[w.start]!);
      w.start++;
      // Amortised O(1): the dropped prefix is cut once it is as long as the window.
      if (w.start >= this.limit) {
        w.events = w.events.slice(w.start);
        w.start = 0;
      }
    }
  }

  /**
   * The events of `key` with a resourceVersion greater than `resourceVersion`, oldest first.
   * Throws StoreError 410 when events after that version may have been dropped.
   */
  since(key: ResourceKey, resourceVersion: number): StoreEvent[] {
    const w = this.window(key);
    if (resourceVersion < w.after) throw tooOld(resourceVersion, w.after);
    // Binary search for the first event newer than resourceVersion.
    let lo = w.start;
    let hi = w.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rvOf(w.events[mid]!) <= resourceVersion) lo = mid + 1;
      else hi = mid;
    }
    return w.events.slice(lo);
  }

  /** The oldest resourceVersion a watch of `key` (or, without a key, of every type) may still start from. */
  oldestVersion(key?: ResourceKey): number {
    if (key !== undefined) return this.window(key).after;
    let max = this.compactedTo;
    for (const w of this.windows.values()) max = Math.max(max, w.after);
    return max;
  }

  /** Fault injection: forget every event up to `upTo` (the current version), for every type. */
  compact(upTo: number): void {
    this.compactedTo = Math.max(this.compactedTo, upTo);
    for (const w of this.windows.values()) {
      w.events = w.events.slice(w.start).filter((e) => rvOf(e) > upTo);
      w.start = 0;
      w.after = Math.max(w.after, upTo);
    }
  }
}
