/**
 * The revisions cairn finds in a cluster (after a restart, or to clean up). Only the workloads
 * (Deployments, the StatefulSet and its pods) are listed: cairn may not list or read Secrets (nor
 * ConfigMaps) at all, so a revision whose workload is gone — a stateful app's older revisions, or a
 * stateless one whose removal was cut short — is known by its number from the caller (the revisions
 * cairn stored), and removeRevision deletes its ConfigMap and Secret by their derived names.
 */
import type { WorkloadContext, WorkloadRevision, WorkloadStrategy } from './strategy/index.js';
import type { EnvironmentTarget, RevisionInCluster } from './workloads-types.js';

/**
 * The environment's revisions, by number: those its workloads hold (as `strategy` reads them), then
 * each of `candidates` they do not hold (nothing running: its ConfigMap and Secret may be left).
 */
export async function listRevisionsInCluster(k: WorkloadContext, target: EnvironmentTarget, strategy: WorkloadStrategy, candidates: readonly number[] = []): Promise<RevisionInCluster[]> {
  return revisionsInCluster(await strategy.listWorkloadRevisions(k, target), candidates);
}

/** The revisions `held` (as a strategy reads them from the workloads: listed, or from the informer caches), then each of `candidates` they do not hold (pure). */
export function revisionsInCluster(held: readonly WorkloadRevision[], candidates: readonly number[] = []): RevisionInCluster[] {
  const found = new Map<number, RevisionInCluster>();
  const add = (n: number | null, workload: string, replicas: number, releaseOrderId: string | null, deleting = false) => {
    if (n === null || found.has(n)) return;
    found.set(n, { number: n, workload, replicas, releaseOrderId, deleting });
  };
  for (const r of held) add(r.number, r.workload, r.replicas, r.releaseOrderId, r.deleting);
  for (const n of candidates) if (Number.isSafeInteger(n) && n > 0) add(n, '', 0, null);
  return [...found.values()].sort((a, b) => a.number - b.number);
}
