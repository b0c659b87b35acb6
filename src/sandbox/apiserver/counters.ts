/**
 * What tests can read about the traffic an API server saw: a request log, counts by verb and
 * resource, the watches open right now, and `until()` to await a condition without sleeping.
 */
import type { OpenWatches, WatchFilter, WatchInfo } from './open-watches.js';

export interface RequestRecord {
  time: Date;
  method: string;
  path: string;
  query: string;
  /** Kubernetes verb (get, list, watch, create …) or the lower-case method for non-resource paths. */
  verb: string;
  group: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  userAgent?: string;
  /** HTTP status code sent (101 for an upgraded exec, 200 for a watch that streamed). */
  code: number;
  durationMs: number;
}

export interface RequestFilter {
  verb?: string | string[];
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  code?: number;
}

export interface Counters {
  /** The request log, oldest first (the last `logLimit` requests), optionally filtered. */
  requests(filter?: RequestFilter): RequestRecord[];
  /** How many requests matched since the start (or the last reset); not limited by the log size. */
  count(filter?: RequestFilter): number;
  /** Counts of all requests since the last reset, keyed `verb resource` (e.g. `list pods`, `get /version`). */
  byVerbAndResource(): Record<string, number>;
  openWatches(filter?: WatchFilter): number;
  watches(filter?: WatchFilter): WatchInfo[];
  /** Resolves once `check()` is true, re-checking after every request and watch change; rejects after timeoutMs. */
  until(check: () => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
}

export interface CountersInternal extends Counters {
  record(entry: RequestRecord): void;
}

const matches = (r: RequestRecord, f: RequestFilter) =>
  (f.verb === undefined || (Array.isArray(f.verb) ? f.verb.includes(r.verb) : f.verb === r.verb)) &&
  (f.group === undefined || f.group === r.group) &&
  (f.resource === undefined || f.resource === r.resource) &&
  (f.subresource === undefined || f.subresource === r.subresource) &&
  (f.namespace === undefined || f.namespace === r.namespace) &&
  (f.name === undefined || f.name === r.name) &&
  (f.code === undefined || f.code === r.code);

export function createCounters(watches: OpenWatches, logLimit = 10_000): CountersInternal {
  let log: RequestRecord[] = [];
  let all: RequestRecord[] = []; // compact summaries for count(); records are small
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  watches.onChange(notify);

  return {
    record(entry) {
      log.push(entry);
      if (log.length > logLimit) log = log.slice(-logLimit);
      all.push(entry);
      if (all.length > 200_000) all = all.slice(-100_000);
      notify();
    },
    requests: (filter = {}) => log.filter((r) => matches(r, filter)),
    count: (filter = {}) => all.filter((r) => matches(r, filter)).length,
    byVerbAndResource() {
      const out: Record<string, number> = {};
      for (const r of all) {
        const key = `${r.verb} ${r.resource ? (r.subresource ? `${r.resource}/${r.subresource}` : r.resource) : r.path}`;
        out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    },
    openWatches: (filter) => watches.list(filter).length,
    watches: (filter) => watches.list(filter),
    until(check, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        if (check()) return resolve();
        const waiter = () => {
          if (!check()) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`counters.until: condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    reset() {
      log = [];
      all = [];
    },
  };
}
