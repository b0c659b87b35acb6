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
  /** Resolves once `check()` is true, re-checking after every request, answer and watch change; rejects after timeoutMs. */
  until(check: () => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
}

export interface CountersInternal extends Counters {
  record(entry: RequestRecord): void;
  /** The request was answered (status sent): sets its code and duration and wakes `until`. */
  answered(entry: RequestRecord, code: number, durationMs: number): void;
}

const matches = (r: Pick<RequestRecord, 'verb' | 'group' | 'resource' | 'subresource' | 'namespace' | 'name' | 'code'>, f: RequestFilter) =>
  (f.verb === undefined || (Array.isArray(f.verb) ? f.verb.includes(r.verb) : f.verb === r.verb)) &&
  (f.group === undefined || f.group === r.group) &&
  (f.resource === undefined || f.resource === r.resource) &&
  (f.subresource === undefined || f.subresource === r.subresource) &&
  (f.namespace === undefined || f.namespace === r.namespace) &&
  (f.name === undefined || f.name === r.name) &&
  (f.code === undefined || f.code === r.code);

type Tally = Pick<RequestRecord, 'verb' | 'group' | 'resource' | 'subresource' | 'namespace' | 'name' | 'code' | 'path'> & { n: number };

export function createCounters(watches: OpenWatches, logLimit = 10_000): CountersInternal {
  let log: RequestRecord[] = [];
  // Counts since the start by (verb, resource, namespace, name, code …): exact for any filter, and
  // small however long a cluster runs. A record's code is known only once it answers, so records
  // are tallied when counts are read and they have answered.
  let tallies = new Map<string, Tally>();
  let pending: RequestRecord[] = [];
  const settle = () => {
    const unanswered = pending.filter((r) => r.code === 0);
    for (const r of pending) {
      if (r.code === 0) continue;
      const key = JSON.stringify([r.verb, r.group, r.resource, r.subresource, r.namespace, r.name, r.code, r.resource ? '' : r.path]);
      const tally = tallies.get(key);
      if (tally) tally.n++;
      else tallies.set(key, { verb: r.verb, group: r.group, resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name, code: r.code, path: r.path, n: 1 });
    }
    pending = unanswered;
  };
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  watches.onChange(notify);

  return {
    record(entry) {
      log.push(entry);
      if (log.length > logLimit) log = log.slice(-logLimit);
      pending.push(entry);
      if (pending.length > 1000) settle();
      notify();
    },
    answered(entry, code, durationMs) {
      entry.code = code;
      entry.durationMs = durationMs;
      notify();
    },
    requests: (filter = {}) => log.filter((r) => matches(r, filter)),
    count(filter = {}) {
      settle();
      let n = pending.filter((r) => matches(r, filter)).length; // still unanswered
      for (const t of tallies.values()) if (matches(t, filter)) n += t.n;
      return n;
    },
    byVerbAndResource() {
      settle();
      const out: Record<string, number> = {};
      for (const t of [...tallies.values(), ...pending.map((r) => ({ ...r, n: 1 }))]) {
        const key = `${t.verb} ${t.resource ? (t.subresource ? `${t.resource}/${t.subresource}` : t.resource) : t.path}`;
        out[key] = (out[key] ?? 0) + t.n;
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
      pending = [];
      tallies = new Map();
    },
  };
}
