/**
 * The rollout strategy of an app type, chosen once: the pure rules by which a release moves batch
 * by batch — a Deployment per revision scaled up and down (stateless), or a StatefulSet's partition
 * lowered (stateful) — and the order in which a batch takes the instances.
 *
 *   rolloutStrategy(appType).step(input)          → the next RolloutStep (../rollout.ts: rolloutStep)
 *   rolloutStrategy(appType).prepareRevision(…)    → the calls that set the up revision's workload up
 *   rolloutStrategy(appType).batchOrder(pods)      → the instances in the order batches take them
 */
import type { AppType } from '../../kube/workloads-types.js';
import { statefulRollout } from './stateful.js';
import { statelessRollout } from './stateless.js';
import type { RolloutStrategy } from './types.js';

export type * from './types.js';
export { DEADLINE_REASON, ordinalOf, sides } from './steps.js';
export { statefulRollout, statelessRollout };

const byAppType: Record<AppType, RolloutStrategy> = { STATELESS: statelessRollout, STATEFUL: statefulRollout };

/** The strategy of an app type. */
export function rolloutStrategy(appType: AppType): RolloutStrategy {
  const strategy = byAppType[appType];
  if (!strategy) throw new TypeError(`no rollout strategy for app type ${String(appType)}`);
  return strategy;
}
