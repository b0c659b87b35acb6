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
