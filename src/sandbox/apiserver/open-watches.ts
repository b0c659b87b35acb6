/** The registry of open watch streams: counted by counters, closed by faults (dropWatches) and stop(). */

export interface WatchInfo {
  id: number;
  group: string;
  resource: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  openedAt: Date;
}

export interface WatchFilter {
  group?: string;
  resource?: string;
  namespace?: string;
}

interface Entry {
  info: WatchInfo;
  close(abrupt: boolean): void;
}

export function matchesWatch(info: WatchInfo, filter: WatchFilter = {}): boolean {
  if (filter.resource !== undefined && filter.resource !== info.resource) return false;
  if (filter.group !== undefined && filter.group !== info.group) return false;
  if (filter.namespace !== undefined && filter.namespace !== info.namespace) return false;
  return true;
}

export class OpenWatches {
  private nextId = 1;
  private readonly entries = new Map<number, Entry>();
  private readonly listeners = new Set<() => void>();

  /** Registers an open watch; returns the function to call when it ends. */
  add(info: Omit<WatchInfo, 'id' | 'openedAt'>, close: (abrupt: boolean) => void): () => void {
    const id = this.nextId++;
    this.entries.set(id, { info: { ...info, id, openedAt: new Date() }, close });
    this.changed();
    return () => {
      if (this.entries.delete(id)) this.changed();
    };
  }

  list(filter?: WatchFilter): WatchInfo[] {
    return [...this.entries.values()].map((e) => e.info).filter((i) => matchesWatch(i, filter));
  }

  /** Closes matching watches: cleanly (end of the chunked response) or abruptly (connection reset). */
  close(filter?: WatchFilter, abrupt = false): number {
    const matching = [...this.entries.values()].filter((e) => matchesWatch(e.info, filter));
    for (const entry of matching) entry.close(abrupt);
    return matching.length;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    for (const listener of [...this.listeners]) listener();
  }
}
