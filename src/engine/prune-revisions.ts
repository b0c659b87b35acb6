import type { ReleaseOrderRow } from '../db/release-tables.js';
import type { EnvironmentTarget } from './kube-port.js';
import { pruneCandidates, revisionsToPrune } from './prune.js';
import type { ReconcileDeps } from './reconcile.js';

/**
 * After an order completed: removes the objects of old revisions beyond `revisionsKept` (never the
 * running revision, the previous one, or one an active order of the environment uses). Best effort:
 * what fails is logged and left for the next completed order.
 */
export async function pruneRevisions(deps: Pick<ReconcileDeps, 'repos' | 'kube' | 'logger' | 'revisionsKept' | 'fence'>, target: EnvironmentTarget, order: ReleaseOrderRow): Promise<number[]> {
  const keep = deps.revisionsKept ?? 5;
  const listed = await deps.kube.listRevisionsInCluster(target, pruneCandidates(await deps.repos.releases.countRevisions(order.environmentId), keep));
  if (!listed.ok) {
    deps.logger.warn({ orderId: order.id, error: listed.error }, 'cannot list the revisions in the cluster; old revisions are pruned after the next order');
    return [];
  }
  const active = await deps.repos.releases.activeOrderOf(order.environmentId);
  const protect = [order.toRevision, order.fromRevision, active?.toRevision, active?.fromRevision].filter((n): n is number => typeof n === 'number');
  const removed: number[] = [];
  for (const revision of revisionsToPrune(listed.value, keep, protect)) {
    await deps.fence?.beforeApply();
    const result = await deps.kube.removeRevision(target, revision);
    if (!result.ok) {
      deps.logger.warn({ orderId: order.id, revision, error: result.error }, 'cannot prune an old revision; trying again after the next order');
      continue;
    }
    removed.push(revision);
  }
  if (removed.length) deps.logger.info({ orderId: order.id, revisions: removed }, 'old revisions pruned');
  return removed;
}
