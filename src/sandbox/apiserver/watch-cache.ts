/**
 * The API server's watch cache: a bounded window of recent events per resource type, fed by the
 * store, from which a watch with a resourceVersion replays what it missed — or gets 410 Expired once
 * that version fell out of the window (or was compacted away by fault injection).
 */
import { History } from '../store/history.js';
import type { ResourceKey, Store, StoreEvent } from '../store/types.js';

export class WatchCache {
  private readonly history: History;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    eventsPerType = 1000,
  ) {
    this.history = new History(eventsPerType);
    // Nothing before now was seen: a watch from an older version must re-list.
    this.history.compact(store.currentVersion());
    this.unsubscribe = store.subscribe((event) => this.history.record(event));
  }

  /** Events of `key` newer than `resourceVersion`, oldest first; throws StoreError 410 when too old. */
  since(key: ResourceKey, resourceVersion: number): StoreEvent[] {
    return this.history.since(key, resourceVersion);
  }

  /** The oldest version a watch or continue token may still start from. */
  oldestVersion(key?: ResourceKey): number {
    return this.history.oldestVersion(key);
  }

  /** Forgets every event up to now (fault injection). */
  compact(): void {
    this.history.compact(this.store.currentVersion());
    (this.store as { compact?: () => void }).compact?.();
  }

  close(): void {
    this.unsubscribe();
  }
}
