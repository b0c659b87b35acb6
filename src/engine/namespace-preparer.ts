/**
 * A new app's namespaces made ahead of its first release. When an app is created, the process that runs the
 * release engine (it holds the engine lease) makes each environment's namespace and cairn's RoleBinding in it
 * (kube.prepareNamespace), in the background: the first release then starts with its own objects, not with
 * three calls (namespace, binding, access review) per environment — what a release day of new apps waits on.
 *
 * Only an optimisation: the first release's own step (ensureBase) makes the namespace again when it is not
 * known, and that step reports any refusal on its order (CLUSTER_REFUSED), where a user sees it. So a failure
 * here is logged (info) and left; a process that does not run the engine prepares nothing (its replica's
 * cache of namespaces made would not serve the engine's). At most `concurrency` at once and `maxQueued`
 * waiting (beyond: left to the first release); each call is bounded by the Kubernetes layer's timeouts,
 * and `stop` cancels what waits and waits for what runs.
 */
import type { KubeResult } from '../kube/kube-errors.js';
import type { EnvironmentTarget } from './kube-port.js';

export interface NamespacePreparer {
  /** Makes the target's namespace soon, when the engine runs here; else nothing. */
  prepare(target: EnvironmentTarget): void;
  /** The engine started here (this process holds the lease). */
  start(): void;
  /** The engine stopped here: what waits is dropped, what runs is awaited. */
  stop(): Promise<void>;
  /** Resolves once nothing waits or runs. */
  idle(): Promise<void>;
}

export interface NamespacePreparerOptions {
  prepareNamespace: (target: EnvironmentTarget) => Promise<KubeResult<unknown>>;
  logger: { info(fields: object, message: string): void };
  /** Calls at once (default 4). */
  concurrency?: number;
  /** Targets waiting at most (default 1,000); beyond, the first release makes the namespace. */
  maxQueued?: number;
}

export function createNamespacePreparer(options: NamespacePreparerOptions): NamespacePreparer {
  const concurrency = options.concurrency ?? 4;
  const maxQueued = options.maxQueued ?? 1000;
  const waiting: EnvironmentTarget[] = [];
  const running = new Set<Promise<void>>();
  let started = false;

  const runOne = async (target: EnvironmentTarget): Promise<void> => {
    try {
      const done = await options.prepareNamespace(target);
      if (!done.ok) {
        options.logger.info(
          { cluster: target.cluster, namespace: target.namespace, error: { kind: done.error.kind, message: done.error.message } },
          'making a new app\'s namespace ahead of its first release failed: the first release makes it (and reports a refusal)',
        );
      }
    } catch (error) {
      options.logger.info({ cluster: target.cluster, namespace: target.namespace, error: String(error) }, 'making a new app\'s namespace ahead of its first release failed');
    }
  };

  const pump = () => {
    while (started && running.size < concurrency && waiting.length) {
      const p: Promise<void> = runOne(waiting.shift()!).finally(() => {
        running.delete(p);
        pump();
      });
      running.add(p);
    }
  };

  return {
    prepare(target) {
      if (!started || waiting.length >= maxQueued) return;
      waiting.push(target);
      pump();
    },
    start() {
      started = true;
    },
    async stop() {
      started = false;
      waiting.length = 0;
      while (running.size) await Promise.all(running);
    },
    async idle() {
      while (running.size) await Promise.all(running);
    },
  };
}
