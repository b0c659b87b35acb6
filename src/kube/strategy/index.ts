/**
 * The workload strategy of an app type, chosen once: where a stateless app (a Deployment per
 * revision) and a stateful one (one StatefulSet, rolled by its partition) differ in what cairn asks
 * of the cluster, and in how the cluster's objects read back. createWorkloads (../workloads.ts)
 * dispatches to it; the informer-backed readers take `informerKind` and the pure `observedRevisions`
 * / `workloadRevisions` from it.
 *
 *   const strategy = workloadStrategy(target.appType);
 *   strategy.informerKind                        'deployments' | 'statefulsets'
 *   observedRevisions(strategy, target, workloads, instances)
 *                                                → { revisions, statefulSet } of an EnvironmentObservation
 *   strategy.workloadRevisions(target, workloads, pods)
 *                                                → the revisions the workloads hold (listRevisionsInCluster)
 */
import type { AppType } from '../workloads-types.js';
import { statefulStrategy } from './stateful.js';
import { statelessStrategy } from './stateless.js';
import type { WorkloadStrategy } from './types.js';

export type * from './types.js';
export { observedRevisions, revisionLabel, tally } from './observed.js';
export { workloadCalls, workloadContext, type ObjectCall, type WorkloadContext } from './context.js';
export { statefulStrategy, statelessStrategy };

const byAppType: Record<AppType, WorkloadStrategy> = { STATELESS: statelessStrategy, STATEFUL: statefulStrategy };

/** The strategy of an app type. */
export function workloadStrategy(appType: AppType): WorkloadStrategy {
  const strategy = byAppType[appType];
  if (!strategy) throw new TypeError(`no workload strategy for app type ${String(appType)}`);
  return strategy;
}
