/**
 * The rollout's pure steps: what to set up before a direction's first batch and the next step of
 * the batch in progress. How they differ by app type lives in the RolloutStrategy that
 * `rolloutStrategy(appType)` picks (./strategy/): stateless scales a Deployment per revision,
 * stateful lowers a StatefulSet's partition.
 */
import { rolloutStrategy, sides, type KubeAction, type RolloutInput, type RolloutStep } from './strategy/index.js';

export type { KubeAction, RolloutInput, RolloutStep } from './strategy/index.js';
export { DEADLINE_REASON, ordinalOf } from './strategy/index.js';

/**
 * The calls that set up the current direction's objects before its first batch. The Services follow
 * the revision the direction brings up: forward the order's, backward the one restored (its ports,
 * or no Service when it maps none); rolling back a first release leaves them as they are.
 */
export function prepareActions(i: RolloutInput): KubeAction[] {
  const { up, down } = sides(i);
  if (!up) return [];
  return [{ op: 'ensureBase', revision: up.number }, ...rolloutStrategy(i.appType).prepareRevision(i, up, down)];
}

/**
 * The next step of the batch in progress, from what the cluster shows. Stateless: scale the up
 * revision to the batch's target, wait until that many are Ready, then scale the down revision
 * by as many (ready capacity never drops below min(old, new)). Stateful: lower the partition.
 */
export function rolloutStep(i: RolloutInput): RolloutStep {
  return rolloutStrategy(i.appType).step(i);
}
