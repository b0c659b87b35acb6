import { EventEmitter } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { BoundedKubeConfig } from './bounded-kubeconfig.js';
import { allowedClusters, noClusterAllowed } from './cluster-source.js';
import { credentialStrings } from './credentials.js';
import { tokenFileAuthenticator } from './in-cluster.js';
import { DEFAULT_KUBE_TIMEOUTS, type KubeTimeouts } from './kube-timeouts.js';
import { createEventQueue } from './event-queue.js';
import { displayServerUrl, type KubeconfigSource, parseKubeconfig, singleContextConfig } from './kubeconfig.js';
import type { KubeCallObserver } from './kube-request.js';
import type { ReachabilityCheck } from './reachability.js';
import type { ClusterInfo, ClusterRegistry } from './types.js';

export interface ClusterRegistryOptions {
  logger: Logger;
  /** How one cluster is checked (GET /version by default in main.ts; a fake in tests). */
  check: ReachabilityCheck;
  /** The period of the background checks started by `startChecking()`. */
  checkIntervalMs: number;
  /**
   * Failed checks in a row before a cluster counts as unreachable (default 3); one success makes
   * it reachable again. Meanwhile the cluster shows its last error.
   */
  unreachableAfterFailures?: number;
  /** After a failed check short of that count, the next check comes after this (doubling, at most the interval; default 1000 ms). */
  recheckDelayMs?: number;
  /** Bounds of every request made with a cluster's KubeConfig (defaults: DEFAULT_KUBE_TIMEOUTS). */
  timeouts?: KubeTimeouts;
  /** Cancels every request and stream made with the clusters' KubeConfigs (cairn's shutdown). */
  signal?: AbortSignal;
  /** Told of every API call made with the clusters' KubeConfigs (metrics, traces). */
  observe?: KubeCallObserver;
  /** Only the contexts with these names become clusters (CAIRN_CLUSTERS); unset: all of them. */
  allow?: readonly string[] | undefined;
  now?: () => Date;
}

/** The registry main.ts drives: load the kubeconfig(s), check reachability, stop. */
export interface LoadableClusterRegistry extends ClusterRegistry {
  /** Whether `load()` has run: the clusters are known (reachability may still be unknown). */
  readonly loaded: boolean;
  /** Reads every context of every source as a cluster. Call once. */
  load(sources: KubeconfigSource[]): void;
  /** Checks every cluster now; resolves when all checks ended. */
  checkAll(): Promise<void>;
  /** Checks every cluster every `checkIntervalMs` until `stop()`. */
  startChecking(): void;
  stop(): void;
}

interface Entry {
  info: ClusterInfo;
  kubeConfig: KubeConfig;
  secrets: string[];
  checking: Promise<void> | null;
  /** Failed checks in a row. */
  failures: number;
  recheck: NodeJS.Timeout | null;
}

const CHANGE = 'change';

export function createClusterRegistry(options: ClusterRegistryOptions): LoadableClusterRegistry {
  const { logger, check, checkIntervalMs } = options;
  const threshold = Math.max(1, options.unreachableAfterFailures ?? 3);
  const recheckDelayMs = options.recheckDelayMs ?? 1000;
  const timeouts = options.timeouts ?? DEFAULT_KUBE_TIMEOUTS;
  const now = options.now ?? (() => new Date());
  const entries = new Map<string, Entry>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let loaded = false;
  // Users that name a token file (the in-cluster service account) send the file's current token.
  const tokenFiles = tokenFileAuthenticator();
  let timer: NodeJS.Timeout | null = null;

  const snapshot = (entry: Entry): ClusterInfo => ({ ...entry.info });

  /** After a failure short of the threshold (while checking runs): check again soon rather than a whole interval later. */
  const scheduleRecheck = (entry: Entry) => {
    if (!timer || entry.recheck || entry.failures === 0 || entry.failures >= threshold) return;
    const delay = Math.min(checkIntervalMs, recheckDelayMs * 2 ** (entry.failures - 1));
    entry.recheck = setTimeout(() => {
      entry.recheck = null;
      void checkOne(entry);
    }, delay);
    entry.recheck.unref();
  };

  const checkOne = (entry: Entry): Promise<void> => {
    entry.checking ??= (async () => {
      try {
        const result = await check(entry.kubeConfig, entry.secrets);
        const before = entry.info;
        entry.failures = result.reachable ? 0 : entry.failures + 1;
        const reachable = reachabilityAfter(before.reachable, result.reachable, entry.failures, threshold);
        entry.info = { ...before, reachable, lastError: result.error, lastCheckedAt: now() };
        if (!result.reachable && reachable !== false) {
          logger.debug({ cluster: before.name, error: result.error, failures: entry.failures, unreachableAfter: threshold }, 'cluster check failed');
        }
        if (before.reachable !== reachable || before.lastError !== result.error) {
          if (before.reachable !== reachable) {
            const fields = { cluster: before.name, reachable, error: result.error ?? undefined };
            if (reachable) logger.info(fields, 'cluster reachable');
            else if (reachable === false) logger.warn({ ...fields, failures: entry.failures }, 'cluster unreachable');
          }
          events.emit(CHANGE, snapshot(entry));
        }
        scheduleRecheck(entry);
      } finally {
        entry.checking = null;
      }
    })();
    return entry.checking;
  };

  return {
    get loaded() {
      return loaded;
    },
    list: () => [...entries.values()].map(snapshot).sort((a, b) => a.name.localeCompare(b.name)),
    get: (name) => {
      const entry = entries.get(name);
      return entry ? snapshot(entry) : undefined;
    },
    kubeConfig: (name) => {
      const entry = entries.get(name);
      if (!entry) throw new Error(`unknown cluster: ${name}`);
      return entry.kubeConfig;
    },
    watch: () => {
      const queue = createEventQueue<ClusterInfo>(() => events.off(CHANGE, listener));
      const listener = (info: ClusterInfo) => queue.push(info);
      events.on(CHANGE, listener);
      for (const entry of entries.values()) queue.push(snapshot(entry));
      return queue;
    },
    load(sources) {
      if (loaded) throw new Error('the cluster registry is already loaded');
      const seen: string[] = [];
      for (const source of sources) {
        const kc = parseKubeconfig(source);
        const secrets = credentialStrings(kc);
        for (const context of kc.getContexts()) {
          seen.push(context.name);
          if (options.allow && !options.allow.includes(context.name)) continue;
          if (entries.has(context.name)) {
            logger.warn({ cluster: context.name, origin: source.origin }, 'duplicate kubeconfig context ignored');
            continue;
          }
          const kubeConfig = new BoundedKubeConfig(singleContextConfig(kc, context.name), {
            cluster: context.name,
            timeouts,
            signal: options.signal,
            ...(options.observe ? { observe: options.observe } : {}),
          });
          if (source.tokenFile) kubeConfig.addAuthenticator(tokenFiles);
          const server = kubeConfig.getCurrentCluster()?.server ?? '';
          entries.set(context.name, {
            info: {
              name: context.name,
              server: displayServerUrl(server),
              reachable: null,
              lastCheckedAt: null,
              lastError: null,
              sandbox: source.sandbox,
            },
            kubeConfig,
            secrets,
            checking: null,
            failures: 0,
            recheck: null,
          });
        }
        logger.info({ origin: source.origin, sandbox: source.sandbox, contexts: kc.getContexts().map((c) => c.name) }, 'kubeconfig loaded');
      }
      if (options.allow) {
        const { kept, dropped, unknown } = allowedClusters(seen, options.allow);
        // Nothing kept: cairn would run with no cluster at all — a failed start (main.ts: one JSON line, exit 1), not a warning.
        if (kept.length === 0) throw new Error(noClusterAllowed(options.allow, seen));
        logger.info({ kept, dropped }, 'clusters limited to the allow-list (CAIRN_CLUSTERS)');
        if (unknown.length > 0) logger.warn({ unknown, known: seen }, 'the allow-list (CAIRN_CLUSTERS) names clusters that no kubeconfig holds');
      }
      loaded = true;
    },
    async checkAll() {
      await Promise.all([...entries.values()].map(checkOne));
    },
    startChecking() {
      if (timer) return;
      timer = setInterval(() => void this.checkAll(), checkIntervalMs);
      timer.unref();
      for (const entry of entries.values()) scheduleRecheck(entry);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      for (const entry of entries.values()) {
        if (entry.recheck) clearTimeout(entry.recheck);
        entry.recheck = null;
      }
    },
  };
}

/**
 * A cluster's reachability after one check: reachable again after one success; unreachable only
 * after `threshold` failed checks in a row (until then it keeps what it was, known or not).
 */
export function reachabilityAfter(before: boolean | null, succeeded: boolean, failuresInARow: number, threshold: number): boolean | null {
  if (succeeded) return true;
  return failuresInARow >= threshold ? false : before;
}
