/**
 * A new app's namespaces made ahead of its first release. When an app is created on the process that runs
 * the release engine (it holds the engine lease; with one replica, always), that process makes each
 * environment's namespace and cairn's RoleBinding in it (kube.prepareNamespace), in the background: the
 * first release then starts with its own objects, not with three calls (namespace, binding, access review)
 * per environment — what a release day of new apps waits on. A replica without the engine prepares nothing
 * (the engine's process keeps its own record of the namespaces it made; one made elsewhere would cost its
 * first release more calls, not fewer).
 *
 * Only an optimisation: the first release's own step (ensureBase) makes the namespace again when it is not
 * known, and that step reports any refusal on its order (CLUSTER_REFUSED), where a user sees it. So a failure
 * here is logged (info) and left. Each call chain starts only while the engine lease holds (`beforeEach`, the
 * engine's fence). At most `concurrency` at once and `maxQueued` waiting (beyond: left to the first release,
 * said once in the log); one namespace of one cluster is prepared once however many ask for it at once (an
 * app whose two environments share a cluster). Each call is bounded by the Kubernetes layer's timeouts;
 * `stop` drops what waits and does not wait for what runs (cairn's shutdown aborts its cluster calls; after a
 * lost lease they end within their bounds).
 */
import type { KubeResult } from '../kube/kube-errors.js';
import type { EnvironmentTarget } from './kube-port.js';

export interface NamespacePreparer {
  /** Makes the target's namespace soon, when the engine runs here; else nothing. */
  prepare(target: EnvironmentTarget): void;
  /** The engine started here (this process holds the lease). */
  start(): void;
  /** The engine stopped here: what waits is dropped. */
  stop(): void;
  /** Resolves once nothing waits or runs. */
  idle(): Promise<void>;
}

export interface NamespacePreparerOptions {
  prepareNamespace: (target: EnvironmentTarget) => Promise<KubeResult<unknown>>;
  logger: { info(fields: object, message: string): void };
  /** Checked before each namespace's calls start (the engine lease's fence): a throw drops that namespace. */
  beforeEach?: () => Promise<void>;
  /** Calls at once (default 4). */
  concurrency?: number;
  /** Targets waiting at most (default 1,000); beyond, the first release makes the namespace. */
  maxQueued?: number;
}

const keyOf = (t: EnvironmentTarget) => `${t.cluster}\0${t.namespace}`;

export function createNamespacePreparer(options: NamespacePreparerOptions): NamespacePreparer {
  const concurrency = options.concurrency ?? 4;
  const maxQueued = options.maxQueued ?? 1000;
  const waiting = new Map<string, EnvironmentTarget>();
  const running = new Map<string, Promise<void>>();
  let started = false;
  /** Whether the queue was full since it last had room (said once). */
  let full = false;

  const failed = (target: EnvironmentTarget, error: unknown) =>
    options.logger.info(
      { cluster: target.cluster, namespace: target.namespace, error },
      "making a new app's namespace ahead of its first release failed: the first release makes it (and reports a refusal)",
    );

  const runOne = async (target: EnvironmentTarget): Promise<void> => {
    try {
      if (options.beforeEach) await options.beforeEach();
      const done = await options.prepareNamespace(target);
      if (!done.ok) failed(target, { kind: done.error.kind, message: done.error.message });
    } catch (error) {
      failed(target, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  };

  const pump = () => {
    while (started && running.size < concurrency && waiting.size) {
      const [key, target] = waiting.entries().next().value!;
      waiting.delete(key);
      const p: Promise<void> = runOne(target).finally(() => {
        running.delete(key);
        pump();
      });
      running.set(key, p);
    }
  };

  return {
    prepare(target) {
      if (!started) return;
      const key = keyOf(target);
      if (waiting.has(key) || running.has(key)) return;
      if (waiting.size >= maxQueued) {
        if (!full) options.logger.info({ waiting: waiting.size }, "new apps' namespaces are left to their first release: too many wait to be made ahead");
        full = true;
        return;
      }
      full = false;
      waiting.set(key, target);
      pump();
    },
    start() {
      started = true;
    },
    stop() {
      started = false;
      waiting.clear();
    },
    async idle() {
      while (running.size) await Promise.all(running.values());
    },
  };
}
