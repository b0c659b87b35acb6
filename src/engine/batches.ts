import type { InstanceFailureRow, ReleaseOrderRow } from '../db/release-tables.js';
import type { AppType, EnvironmentObservation, ObservedInstance } from '../kube/workloads-types.js';
import { rolloutStrategy } from './strategy/index.js';

export const BATCH_STATES = ['PENDING', 'IN_PROGRESS', 'DONE', 'FAILED', 'CANCELLED'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** One batch of an order, in its current direction, with the instances it takes over. */
export interface BatchView {
  /** 1-based position in the plan. */
  number: number;
  size: number;
  state: BatchState;
  /** The instances of the revision this batch brings up (empty when the cluster could not be read). */
  instances: ObservedInstance[];
  /** The unresolved failures of this batch. */
  failures: InstanceFailureRow[];
}

function batchState(order: ReleaseOrderRow, index: number): BatchState {
  const done = order.cursor.batchesDone;
  if (order.state === 'COMPLETED' || order.state === 'ROLLED_BACK' || index < done) return 'DONE';
  if (index > done) return order.state === 'CLOSED' ? 'CANCELLED' : 'PENDING';
  switch (order.state) {
    case 'DEPLOYING':
    case 'ROLLING_BACK':
      return 'IN_PROGRESS';
    case 'FAILED':
      return 'FAILED';
    case 'CLOSED':
      return 'CANCELLED';
    default:
      return 'PENDING';
  }
}

/**
 * The order's batches in its current direction. Instances are assigned to batches in the order the
 * rollout takes them (the app type's RolloutStrategy.batchOrder): stateless pods of the incoming
 * revision by creation time, stateful pods from the highest ordinal down.
 */
export function describeBatches(order: ReleaseOrderRow, appType: AppType, observation: EnvironmentObservation | null, failures: InstanceFailureRow[]): BatchView[] {
  const incoming = order.direction === 'FORWARD' ? order.toRevision : order.fromRevision;
  const pods = (observation?.instances ?? []).filter((p) => !p.terminating && incoming !== null && p.revision === incoming);
  const sorted = rolloutStrategy(appType).batchOrder(pods);
  let offset = 0;
  return order.plan.map((size, index) => {
    const instances = sorted.slice(offset, offset + size);
    offset += size;
    return {
      number: index + 1,
      size,
      state: batchState(order, index),
      instances,
      failures: failures.filter((f) => f.batch === index && f.direction === order.direction && f.resolvedAt === null),
    };
  });
}
