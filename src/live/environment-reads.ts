/**
 * The ONE read path for what the cluster shows of an environment: its pods, their Warnings and its
 * workloads, read from the shared informer caches — for the release engine's passes, the API
 * (ReleaseOrder.batches, Environment.runningInstances) and the order publisher alike. No request
 * reaches the cluster once the caches are warm; a cold cache is filled by its informer's one list.
 *
 * Read your own writes: before it trusts a cache, a read waits (bounded) until the cache has seen
 * the newest resourceVersion cairn wrote to that kind in that namespace (see kube/write-marks.ts),
 * so the engine never acts twice on a state it already changed.
 */
import type { CoreV1Event, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { boundsOf } from '../kube/bounded-kubeconfig.js';
import { fail, ok, toKubeError, type KubeResult } from '../kube/kube-errors.js';
import { observeFrom } from '../kube/observe.js';
import { workloadStrategy } from '../kube/strategy/index.js';
import type { WorkloadObject } from '../kube/strategy/types.js';
import { reached } from '../kube/write-marks.js';
import type { EnvironmentObservation, EnvironmentTarget, RevisionInCluster } from '../kube/workloads-types.js';
import { revisionsInCluster } from '../kube/workloads-list.js';
import type { Informer, KubeObject } from './informer.js';
import type { InformerKind } from './informer-kinds.js';
import type { InformerLease, Informers } from './informers.js';
import { isEnvironmentPod } from './instances.js';

export interface EnvironmentReadsOptions {
  /** How long a read waits at most for a cold cache to fill (default: the cluster's list timeout and a second); then the cluster counts as unreadable. */
  syncTimeoutMs?: number;
  /** How long a read waits for a cache to see cairn's own newest write (default 2 000 ms); then it reads the cache as it is. */
  writeWaitMs?: number;
  /** A pod Pending unscheduled for this long is failed (default 60 000 ms). */
  unschedulableAfterMs?: number;
  now?: () => Date;
}

export interface EnvironmentReads {
  observeEnvironment(target: EnvironmentTarget, options?: { now?: Date; unschedulableAfterMs?: number }): Promise<KubeResult<EnvironmentObservation>>;
  /**
   * The revisions the environment's workloads hold, from the caches (kube.listRevisionsInCluster without its list),
   * plus each of `candidates` they do not hold: what the engine prunes from after an order.
   */
  listRevisionsInCluster(target: EnvironmentTarget, candidates?: readonly number[]): Promise<KubeResult<RevisionInCluster[]>>;
}

/** The informer kind of an app type's workloads (its strategy's). */
export const workloadKind = (target: Pick<EnvironmentTarget, 'appType'>): InformerKind => workloadStrategy(target.appType).informerKind;

const KIND_NAMES: Record<InformerKind, string> = { pods: 'Pod', deployments: 'Deployment', statefulsets: 'StatefulSet', events: 'Event', warnings: 'Event' };

/** Resolves true once `check()` holds (re-checked on each change the informer tells), false after `ms`. */
function until(informer: Informer, check: () => boolean, ms: number): Promise<boolean> {
  if (check()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      off();
      resolve(value);
    };
    const off = informer.on(() => {
      if (check()) done(true);
    });
    const timer = setTimeout(() => done(check()), ms);
    timer.unref();
  });
}

/** Resolves true when `promise` does within `ms`; false after `ms`, or at once when `signal` (cairn's shutdown) fires. */
function within(promise: Promise<unknown>, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      resolve(value);
    };
    const stop = () => done(false);
    const timer = setTimeout(stop, ms);
    timer.unref();
    if (signal?.aborted) return stop();
    signal?.addEventListener('abort', stop, { once: true });
    void promise.then(() => done(true));
  });
}

/**
 * Waits until the informers' caches are filled: false at once when one of them is cold because its last list
 * failed (the cluster does not answer: say so now rather than make every reader wait), or after `ms`, or at shutdown.
 */
export async function cachesFilled(caches: Informer[], ms: number, signal?: AbortSignal): Promise<{ ok: true } | { ok: false; why: string }> {
  const failing = () => caches.find((c) => !c.synced && c.lastError !== null);
  const failed = failing();
  if (failed) return { ok: false, why: toKubeError(failed.lastError).message };
  // Warm caches (every pass once running) answer without a timer or a promise per cache.
  if (caches.every((c) => c.synced)) return { ok: true };
  if (await within(Promise.all(caches.map((c) => c.whenSynced())), ms, signal)) return { ok: true };
  const late = failing();
  return { ok: false, why: late ? toKubeError(late.lastError).message : `no list within ${ms} ms` };
}

export function createEnvironmentReads(informers: Informers, kubeConfigFor: (cluster: string) => KubeConfig, options: EnvironmentReadsOptions = {}): EnvironmentReads {
  const writeWaitMs = options.writeWaitMs ?? 2_000;

  /** The cluster's bounds: its shutdown signal and the marks of cairn's writes (none when the kubeconfig no longer names it). */
  const boundsFor = (cluster: string) => {
    try {
      return boundsOf(kubeConfigFor(cluster));
    } catch {
      return null;
    }
  };

  /** Waits until the cache has seen cairn's newest write to this kind in the namespace (bounded). */
  async function caughtUp(target: EnvironmentTarget, kind: InformerKind, informer: Informer): Promise<void> {
    const bounds = boundsFor(target.cluster);
    const wanted = bounds?.writes?.latest(KIND_NAMES[kind], target.namespace);
    if (wanted && !bounds?.signal?.aborted) await until(informer, () => reached(informer.resourceVersion, wanted) || !!bounds?.signal?.aborted, writeWaitMs);
  }

  /**
   * Runs `read` over the environment's caches of `kinds` (pods, then the others asked for; the workloads' kind is
   * its strategy's), once they are filled and have seen cairn's own newest writes to the pods and workloads.
   */
  async function withCaches<T>(target: EnvironmentTarget, kinds: readonly InformerKind[], read: (caches: Map<InformerKind, Informer>) => T): Promise<KubeResult<T>> {
    const leases: InformerLease[] = kinds.map((kind) => informers.acquire(target.cluster, target.namespace, kind));
    try {
      const caches = new Map(kinds.map((kind, i) => [kind, leases[i]!.informer] as const));
      const bounds = boundsFor(target.cluster);
      const syncTimeoutMs = options.syncTimeoutMs ?? (bounds?.timeouts.listMs ?? 20_000) + 1_000;
      const filled = await cachesFilled([...caches.values()], syncTimeoutMs, bounds?.signal);
      if (!filled.ok) return fail({ kind: 'Unavailable', message: `cluster ${target.cluster} cannot be read: ${filled.why}`, status: null });
      await Promise.all([...caches].filter(([kind]) => kind !== 'events' && kind !== 'warnings').map(([kind, informer]) => caughtUp(target, kind, informer)));
      return ok(read(caches));
    } finally {
      for (const lease of leases) lease.release();
    }
  }

  const mineIn = (target: EnvironmentTarget, informer: Informer) => [...informer.cache.values()].filter((o: KubeObject) => isEnvironmentPod(target, o));

  return {
    observeEnvironment(target, read = {}) {
      // The pods' Warnings are all an observation judges instances by (observeFrom keeps no other event).
      return withCaches(target, ['pods', 'warnings', workloadKind(target)], (caches) =>
        observeFrom(
          target,
          mineIn(target, caches.get('pods')!) as V1Pod[],
          [...caches.get('warnings')!.cache.values()] as unknown as CoreV1Event[],
          mineIn(target, caches.get(workloadKind(target))!) as WorkloadObject[],
          {
            unschedulableAfterMs: read.unschedulableAfterMs ?? options.unschedulableAfterMs ?? 60_000,
            now: read.now ?? options.now?.() ?? new Date(),
          },
        ),
      );
    },
    listRevisionsInCluster(target, candidates = []) {
      return withCaches(target, ['pods', workloadKind(target)], (caches) => {
        const held = workloadStrategy(target.appType).workloadRevisions(target, mineIn(target, caches.get(workloadKind(target))!) as WorkloadObject[], mineIn(target, caches.get('pods')!) as V1Pod[]);
        return revisionsInCluster(held, candidates);
      });
    },
  };
}
