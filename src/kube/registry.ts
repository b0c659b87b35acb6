import { EventEmitter } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { credentialStrings } from './credentials.js';
import { createEventQueue } from './event-queue.js';
import { displayServerUrl, type KubeconfigSource, parseKubeconfig, singleContextConfig } from './kubeconfig.js';
import type { ReachabilityCheck } from './reachability.js';
import type { ClusterInfo, ClusterRegistry } from './types.js';

export interface ClusterRegistryOptions {
  logger: Logger;
  /** How one cluster is checked (GET /version by default in main.ts; a fake in tests). */
  check: ReachabilityCheck;
  /** The period of the background checks started by `startChecking()`. */
  checkIntervalMs: number;
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
}

const CHANGE = 'change';

export function createClusterRegistry(options: ClusterRegistryOptions): LoadableClusterRegistry {
  const { logger, check, checkIntervalMs } = options;
  const now = options.now ?? (() => new Date());
  const entries = new Map<string, Entry>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let loaded = false;
  let timer: NodeJS.Timeout | null = null;

  const snapshot = (entry: Entry): ClusterInfo => ({ ...entry.info });

  const checkOne = (entry: Entry): Promise<void> => {
    entry.checking ??= (async () => {
      try {
        const result = await check(entry.kubeConfig, entry.secrets);
        const before = entry.info;
        entry.info = { ...before, reachable: result.reachable, lastError: result.error, lastCheckedAt: now() };
        if (before.reachable !== result.reachable || before.lastError !== result.error) {
          const fields = { cluster: before.name, reachable: result.reachable, error: result.error ?? undefined };
          if (result.reachable) logger.info(fields, 'cluster reachable');
          else logger.warn(fields, 'cluster unreachable');
          events.emit(CHANGE, snapshot(entry));
        }
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
      for (const source of sources) {
        const kc = parseKubeconfig(source);
        const secrets = credentialStrings(kc);
        for (const context of kc.getContexts()) {
          if (entries.has(context.name)) {
            logger.warn({ cluster: context.name, origin: source.origin }, 'duplicate kubeconfig context ignored');
            continue;
          }
          const kubeConfig = singleContextConfig(kc, context.name);
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
          });
        }
        logger.info({ origin: source.origin, sandbox: source.sandbox, contexts: kc.getContexts().map((c) => c.name) }, 'kubeconfig loaded');
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
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
