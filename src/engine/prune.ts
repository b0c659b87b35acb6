import type { RevisionInCluster } from '../kube/workloads-types.js';

/**
 * The revisions whose objects (Deployment, ConfigMap, Secret) go after an order completes: all
 * but the newest `keep` found in the cluster, never one in `protect` (the running revision, the
 * previous one, those of an active order), one that still has replicas, or one already being deleted.
 * Oldest first.
 */
export function revisionsToPrune(inCluster: RevisionInCluster[], keep: number, protect: readonly number[]): number[] {
  const newestFirst = [...inCluster].sort((a, b) => b.number - a.number);
  return newestFirst
    .slice(Math.max(0, keep))
    .filter((r) => !protect.includes(r.number) && r.replicas === 0 && !r.deleting)
    .map((r) => r.number)
    .sort((a, b) => a - b);
}

/**
 * The stored revision numbers whose ConfigMap and Secret may still be in the cluster with no workload
 * holding them (a stateful app's older revisions; a stateless removal cut short), which cairn cannot
 * list (it has no right to list Secrets): the newest `2 × keep` of the environment's `newest` revisions
 * (numbered 1, 2, 3 … without gaps). Each completed order prunes the ones beyond `keep`, so those that
 * fell out of the kept window since, and any whose pruning failed within the last `keep` orders, are
 * among them; deleting a missing one by name is a harmless 404.
 */
export function pruneCandidates(newest: number, keep: number): number[] {
  const from = Math.max(1, newest - 2 * keep + 1);
  return newest < 1 ? [] : Array.from({ length: newest - from + 1 }, (_, i) => from + i);
}
