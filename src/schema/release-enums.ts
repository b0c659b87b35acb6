import type { BatchState } from '../engine/batches.js';
import type { Direction, OrderKind, OrderStateName, PauseMode } from '../db/release-tables.js';
import { builder } from './builder.js';

export const ReleaseOrderStateEnum = builder.enumType('ReleaseOrderState', {
  description: 'Where a release order stands. DEPLOYING, PAUSED, FAILED and ROLLING_BACK are active: the environment takes no other order meanwhile.',
  values: {
    DEPLOYING: { description: 'Batches are being released, one after another.' },
    PAUSED: { description: 'Stopped after a batch, as the pause mode asked; resume it to go on.' },
    COMPLETED: { description: 'Every batch is done: every instance runs the order\'s revision and passes its readiness check.' },
    FAILED: {
      description:
        'Instances of the batch in progress failed, or the cluster refused a step of it (CLUSTER_REFUSED), or a step kept failing until the batch deadline (see `failureReason` and `failures`); retry, roll back, or close the order.',
    },
    CLOSED: { description: 'Closed by a user before it completed: it counts as failed, and what ran at that moment was left as it was.' },
    ROLLING_BACK: { description: 'Returning the environment to the previous revision, in batches of the same plan.' },
    ROLLED_BACK: { description: 'The environment runs the previous revision again (or, after a first release, nothing).' },
  } satisfies Record<OrderStateName, { description: string }>,
});

export const PauseModeEnum = builder.enumType('PauseMode', {
  description: 'When a release order pauses by itself; switching it takes effect for the batches still to come.',
  values: {
    FIRST_BATCH: { description: 'Pause after the first batch until someone resumes, then release the rest without pausing.' },
    EVERY_BATCH: { description: 'Pause after every batch but the last.' },
    NONE: { description: 'Never pause.' },
  } satisfies Record<PauseMode, { description: string }>,
});

export const ReleaseOrderKindEnum = builder.enumType('ReleaseOrderKind', {
  description: 'What a release order deploys.',
  values: {
    RELEASE: { description: 'A new revision, frozen from the environment\'s draft configuration when the order was submitted.' },
    ROLLBACK: { description: 'An earlier revision, released again (createReleaseOrder with `revision`).' },
  } satisfies Record<OrderKind, { description: string }>,
});

export const ReleaseDirectionEnum = builder.enumType('ReleaseDirection', {
  description: 'Which way the order moves the environment.',
  values: {
    FORWARD: { description: 'From the previous revision to the order\'s revision.' },
    BACKWARD: { description: 'Back to the previous revision (after rollbackReleaseOrder).' },
  } satisfies Record<Direction, { description: string }>,
});

export const ReleaseBatchStateEnum = builder.enumType('ReleaseBatchState', {
  description: 'Where one batch of a release order stands.',
  values: {
    PENDING: { description: 'Not started yet (or waiting for the order to be resumed).' },
    IN_PROGRESS: { description: 'Its instances are being brought up.' },
    DONE: { description: 'All its instances run the revision and are Ready.' },
    FAILED: { description: 'Some of its instances failed; see the batch\'s failures.' },
    CANCELLED: { description: 'The order was closed before this batch finished.' },
  } satisfies Record<BatchState, { description: string }>,
});
