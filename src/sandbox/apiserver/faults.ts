/**
 * Fault injection for reliability tests: error rates by verb/resource (500, 503, 504, 429 with
 * Retry-After), requests that are never answered, added latency, dropping every open watch,
 * compacting the watch history so old resource versions get 410 Gone, and whole-server outages.
 */
import { ApiError } from './errors.js';
import type { WatchFilter } from './open-watches.js';

export interface RequestTarget {
  verb: string;
  group: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

interface Match {
  /** One verb or several (get, list, watch, create, update, patch, delete, deletecollection). */
  verb?: string | string[];
  /** Resource plural, e.g. 'pods'; add `group` to tell apart same-named resources. */
  resource?: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  /** Only requests across all namespaces (a cluster-wide list or watch). */
  allNamespaces?: boolean;
  name?: string;
}

/** Health checks and /version are never failed by a rule (only by an outage). */
export interface FailureRule extends Match {
  /** 403 stands for an RBAC refusal (e.g. no right to list across namespaces). */
  code: 403 | 429 | 500 | 503 | 504;
  /** Probability (0..1) that a matching request fails; default 1. */
  rate?: number;
  /** Fail at most this many matching requests, then the rule is spent. */
  times?: number;
  /** For 429 (and 503): the Retry-After header and details.retryAfterSeconds; default 1. */
  retryAfterSeconds?: number;
  message?: string;
}

/** Health checks and /version are never hung by a rule. */
export interface HangRule extends Match {
  /** Hang at most this many matching requests, then the rule is spent. */
  times?: number;
}

export interface LatencyRule extends Match {
  /** Real milliseconds added before the request is served. */
  ms: number;
}

export type OutageMode = 'refuse' | '503';

export interface Faults {
  /** Makes matching requests fail; returns a function that removes the rule. */
  failRequests(rule: FailureRule): () => void;
  /**
   * Makes matching requests hang: each is accepted and never answered (the connection stays open,
   * no byte is sent) until the client gives up or the server closes. Returns a function that
   * removes the rule; requests already hanging stay so.
   */
  hangRequests(rule: HangRule): () => void;
  /** Delays matching requests; returns a function that removes the rule. */
  addLatency(rule: LatencyRule): () => void;
  /** Closes every open watch (or those matching): cleanly by default, with a connection reset when `abrupt`. Returns how many. */
  dropWatches(filter?: WatchFilter, options?: { abrupt?: boolean }): number;
  /** Forgets the watch history: a watch or continue token from any version before now gets 410 Gone (Expired). */
  compact(): void;
  /**
   * Takes the API server down for `ms` real milliseconds. 'refuse' (default; what a restarting
   * kube-apiserver looks like): the port refuses connections and open connections are reset.
   * '503': every request gets 503 ServiceUnavailable. Resolves when the server is back.
   */
  unavailableFor(ms: number, options?: { mode?: OutageMode }): Promise<void>;
  /** Removes every failure, hang and latency rule (an ongoing outage runs its course). */
  clear(): void;
}

/** What the server lends to Faults so that it can act on connections and history. */
export interface FaultHooks {
  dropWatches(filter: WatchFilter | undefined, abrupt: boolean): number;
  compact(): void;
  refuseConnections(): Promise<void>;
  acceptConnections(): Promise<void>;
}

export interface FaultsInternal extends Faults {
  attach(hooks: FaultHooks): void;
  /** Whether the server answers everything with 503 right now. */
  readonly serviceUnavailable: boolean;
  /** The latency to add and the error to answer with, if any, for one request; `hang`: never answer it. */
  decide(target: RequestTarget): { delayMs: number; error?: ApiError; hang?: boolean };
}

function matches(rule: Match, t: RequestTarget): boolean {
  if (rule.verb !== undefined && !(Array.isArray(rule.verb) ? rule.verb.includes(t.verb) : rule.verb === t.verb)) return false;
  if (rule.resource !== undefined && rule.resource !== t.resource) return false;
  if (rule.group !== undefined && rule.group !== t.group) return false;
  if (rule.subresource !== undefined && rule.subresource !== t.subresource) return false;
  if (rule.namespace !== undefined && rule.namespace !== t.namespace) return false;
  if (rule.allNamespaces && t.namespace !== undefined) return false;
  if (rule.name !== undefined && rule.name !== t.name) return false;
  return true;
}

export function injectedError(code: FailureRule['code'], retryAfterSeconds = 1, message?: string): ApiError {
  switch (code) {
    case 403:
      return new ApiError(403, 'Forbidden', message ?? 'forbidden: the user cannot do this at the cluster scope (injected fault)', {});
    case 429:
      return new ApiError(429, 'TooManyRequests', message ?? 'Too many requests, please try again later.', { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
    case 503:
      return new ApiError(503, 'ServiceUnavailable', message ?? 'the server is currently unable to handle the request', { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
    case 504:
      return new ApiError(504, 'Timeout', message ?? 'the server was unable to return a response in the time allotted, but may still be processing the request', {});
    default:
      return new ApiError(500, 'InternalError', message ?? 'Internal error occurred: injected fault', { causes: [{ message: 'injected fault' }] });
  }
}

export function createFaults(random: () => number = Math.random): FaultsInternal {
  let failures: (FailureRule & { used: number })[] = [];
  let latencies: LatencyRule[] = [];
  let hangs: (HangRule & { used: number })[] = [];
  let hooks: FaultHooks | undefined;
  let outage503 = 0;
  const need = () => {
    if (!hooks) throw new Error('faults: the API server is not running');
    return hooks;
  };

  return {
    attach(h) {
      hooks = h;
    },
    get serviceUnavailable() {
      return outage503 > 0;
    },
    failRequests(rule) {
      const entry = { ...rule, used: 0 };
      failures.push(entry);
      return () => {
        failures = failures.filter((r) => r !== entry);
      };
    },
    hangRequests(rule) {
      const entry = { ...rule, used: 0 };
      hangs.push(entry);
      return () => {
        hangs = hangs.filter((r) => r !== entry);
      };
    },
    addLatency(rule) {
      const entry = { ...rule };
      latencies.push(entry);
      return () => {
        latencies = latencies.filter((r) => r !== entry);
      };
    },
    dropWatches(filter, options) {
      return need().dropWatches(filter, options?.abrupt ?? false);
    },
    compact() {
      need().compact();
    },
    async unavailableFor(ms, options) {
      const mode = options?.mode ?? 'refuse';
      if (mode === '503') {
        outage503++;
        await new Promise((r) => setTimeout(r, ms));
        outage503--;
        return;
      }
      const h = need();
      await h.refuseConnections();
      await new Promise((r) => setTimeout(r, ms));
      await h.acceptConnections();
    },
    clear() {
      failures = [];
      latencies = [];
      hangs = [];
    },
    decide(target) {
      let delayMs = 0;
      for (const rule of hangs) {
        if (!matches(rule, target) || (rule.times !== undefined && rule.used >= rule.times)) continue;
        rule.used++;
        return { delayMs: 0, hang: true };
      }
      for (const rule of latencies) if (matches(rule, target)) delayMs += rule.ms;
      for (const rule of failures) {
        if (!matches(rule, target)) continue;
        if (rule.times !== undefined && rule.used >= rule.times) continue;
        if (random() >= (rule.rate ?? 1)) continue;
        rule.used++;
        return { delayMs, error: injectedError(rule.code, rule.retryAfterSeconds, rule.message) };
      }
      return { delayMs };
    },
  };
}
