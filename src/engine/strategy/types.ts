/** The shapes of a rollout step (see ../rollout.ts) and the RolloutStrategy an app type picks (see index.ts). */
import type { AppType, EnvironmentObservation, ObservedInstance } from '../../kube/workloads-types.js';
import type { Direction, FailedInstance, OrderCursor } from '../order-state.js';

/** One idempotent call to the Kubernetes layer, as data; the reconciler carries it out. */
export type KubeAction =
  | { op: 'ensureBase'; revision: number }
  | { op: 'ensureRevision'; revision: number; replicas: number; partition?: number }
  | { op: 'scaleRevision'; revision: number; replicas: number }
  | { op: 'setPartition'; partition: number }
  | { op: 'deleteInstances'; names: string[] }
  | { op: 'removeRevision'; revision: number };

export type RolloutStep =
  | { kind: 'ACT'; action: KubeAction }
  /** The objects of the current direction must be (re-)ensured first. */
  | { kind: 'PREPARE' }
  | { kind: 'WAIT'; why: string; deadlineAt: number | null }
  | { kind: 'BATCH_DONE' }
  | { kind: 'FAILED'; failures: FailedInstance[] };

/** A revision of the order with its instance count. */
export interface RevisionSide {
  number: number;
  instances: number;
}

export interface RolloutInput {
  appType: AppType;
  direction: Direction;
  plan: number[];
  cursor: OrderCursor;
  /** The revision running before the order (null for a first release) and the order's revision, with their instance counts. */
  from: RevisionSide | null;
  to: RevisionSide;
  observation: EnvironmentObservation;
  now: Date;
  /** How long a batch may take before its instances that are not Ready fail. */
  batchDeadlineMs: number;
}

/** How an app type rolls a release out, batch by batch: pure rules, no I/O. */
export interface RolloutStrategy {
  readonly appType: AppType;
  /**
   * The calls that set up the revision the direction brings up (`up`; `down` the one it takes
   * down, null for a first release), after the environment's base objects.
   */
  prepareRevision(i: RolloutInput, up: RevisionSide, down: RevisionSide | null): KubeAction[];
  /** The next step of the batch in progress, from what the cluster shows. */
  step(i: RolloutInput): RolloutStep;
  /** The incoming revision's instances in the order the rollout takes them: the first batch's first. */
  batchOrder(instances: readonly ObservedInstance[]): ObservedInstance[];
}
