/**
 * The pod garbage collector's orphan rule (kube-controller-manager's podgc, gcOrphaned): a pod bound
 * to a node that no longer exists is force-deleted (grace period 0) once the node has been missing
 * for the 40 s quarantine, as a real control plane does — a node that is deleted takes its pods with
 * it even though no kubelet is left to finish them. The rule that GCs terminated pods over a
 * threshold (12500) is not simulated.
 */
import { resourceKey, StoreError, type KubeObject, type StoreEvent } from '../store/types.js';
import { keyOf, type Controller, type ControllerContext } from './context.js';
import { splitKey } from './queue.js';

const PODS = resourceKey('', 'pods');
const NODES = resourceKey('', 'nodes');
/** podgc's quarantineTime: how long a node must stay missing before its pods go. */
export const QUARANTINE_MS = 40_000;

export function createPodGarbageCollector(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  /** Node name → when it was first seen missing (wall clock, ms; durations are simulated: × speed). */
  const missingSince = new Map<string, number>();
  const nodeOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName;

  function keysFor(event: StoreEvent): string[] {
    if (event.key === PODS) return event.type !== 'DELETED' && nodeOf(event.object) ? [keyOf(event.object)] : [];
    if (event.key !== NODES) return [];
    const node = event.object.metadata.name!;
    if (event.type !== 'DELETED') {
      missingSince.delete(node);
      return [];
    }
    return store.list(PODS).items.filter((p) => nodeOf(p) === node).map(keyOf);
  }

  function sync(key: string): number | undefined {
    const { namespace, name } = splitKey(key);
    const pod = store.get(PODS, namespace, name);
    const node = pod && nodeOf(pod);
    if (!pod || !node) return undefined;
    if (store.get(NODES, undefined, node)) {
      missingSince.delete(node);
      return undefined;
    }
    const now = clock.now().getTime();
    const since = missingSince.get(node) ?? now;
    missingSince.set(node, since);
    const left = QUARANTINE_MS - (now - since) * clock.speed;
    if (left > 0) return left;
    try {
      store.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!(err instanceof StoreError) || (err.reason !== 'NotFound' && err.reason !== 'Conflict')) throw err;
    }
    return undefined;
  }

  return {
    name: 'podgc',
    keysFor,
    allKeys: () => store.list(PODS).items.filter((p) => nodeOf(p)).map(keyOf),
    sync,
  };
}
