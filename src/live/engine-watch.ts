/**
 * The release engine's `watchEnvironment` (KubePort) on the shared informers: calls `onChange`
 * (debounced) whenever the environment's pods or workloads (Deployments or the StatefulSet) change
 * what a pass reads of them (wake-keys.ts), or its namespace's pod Warnings change, until `signal`
 * aborts — without watches of its own: every active release order shares one watch per (cluster,
 * kind) — pods, workloads, and pods' Warnings (the 'warnings' kind; live subscribers follow every
 * pod event through the 'events' kind). After a watch breaks, the informer re-lists and tells what
 * changed meanwhile, which wakes the engine too where a change matters to it (a key changed, an
 * object gone).
 */
import type { EnvironmentTarget } from '../kube/workloads-types.js';
import type { ChangeType, KubeObject } from './informer.js';
import { workloadKind } from './environment-reads.js';
import type { Informers } from './informers.js';
import { eventPodName, isEnvironmentPod } from './instances.js';
import { podWakeKey, workloadWakeKey } from './wake-keys.js';

export function informerWatch(informers: Informers, options: { debounceMs?: number } = {}) {
  // Short: a burst of changes (a batch's pods) still makes one pass, and the next batch starts within milliseconds of the last Ready pod.
  const debounceMs = options.debounceMs ?? 5;
  return function watchEnvironment(target: EnvironmentTarget, onChange: () => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      if (signal.aborted) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        if (!signal.aborted) onChange();
      }, debounceMs);
    };
    const mine = (o: KubeObject) => isEnvironmentPod(target, o);
    const pods = informers.acquire(target.cluster, target.namespace, 'pods');
    // A pod or workload of this environment wakes the engine when it comes, goes, or changes what a pass can act on or
    // publish (wake-keys.ts): not when a pod is bound to a node, given an IP or has a container created, nor when a
    // workload's status counts move — most of their changes.
    const keyed = (keyOf: (o: KubeObject) => string) => {
      const keys = new Map<string, string>();
      const relevant = (type: ChangeType, o: KubeObject) => {
        const name = o.metadata?.name ?? '';
        // Not (or no longer) the environment's: a wake only when one it knew leaves (relabelled away).
        if (!mine(o)) return keys.delete(name);
        if (type === 'DELETED') {
          keys.delete(name);
          return true;
        }
        const key = keyOf(o);
        if (keys.get(name) === key) return false;
        keys.set(name, key);
        return true;
      };
      return { relevant, clear: () => keys.clear() };
    };
    const podKeys = keyed((o) => podWakeKey(o));
    const workloadKeys = keyed(workloadWakeKey);
    // An event about a pod of this environment (or one not seen yet): the other environment of the namespace is not woken.
    // Only an event the engine can act on wakes it: a Warning (a failed PostStart hook is one; instance-failure.ts reads no
    // other event) — the Normal events of every pod's start (Scheduled, Pulling, Pulled, Created, Started) are not even
    // watched ('warnings').
    const aboutMine = (o: KubeObject) => {
      if (!engineMayAct(o)) return false;
      const pod = eventPodName(o);
      if (pod === null) return false;
      const known = pods.informer.cache.get(pod);
      return known === undefined || mine(known);
    };
    const leases: { lease: ReturnType<Informers['acquire']>; relevant: (type: ChangeType, o: KubeObject) => boolean }[] = [
      { lease: pods, relevant: podKeys.relevant },
      { lease: informers.acquire(target.cluster, target.namespace, workloadKind(target)), relevant: workloadKeys.relevant },
      { lease: informers.acquire(target.cluster, target.namespace, 'warnings'), relevant: (_type, o) => aboutMine(o) },
    ];
    const offs = leases.map(({ lease, relevant }) => lease.informer.on((type, o) => relevant(type, o) && changed()));
    return new Promise<void>((resolve) => {
      signal.addEventListener(
        'abort',
        () => {
          if (timer) clearTimeout(timer);
          podKeys.clear();
          workloadKeys.clear();
          for (const off of offs) off();
          for (const { lease } of leases) lease.release();
          resolve();
        },
        { once: true },
      );
    });
  };
}

/** Whether a pod event may change what the engine decides (a failure it reads from events: see src/kube/instance-failure.ts). */
function engineMayAct(event: KubeObject): boolean {
  const e = event as { type?: string; reason?: string };
  return e.type === 'Warning' || e.reason === 'FailedPostStartHook';
}
