import type { InstanceFailureRow, OrderTransitionRow, ReleaseOrderRow, RevisionRow } from '../db/release-tables.js';
import type { BatchView } from '../engine/batches.js';
import type { ObservedInstance } from '../kube/workloads-types.js';
import { builder } from './builder.js';

/** References of the release types, implemented in their own files (release-order.ts, release-batch.ts, revision.ts). */
export const ReleaseOrderRef = builder.objectRef<ReleaseOrderRow>('ReleaseOrder');
export const RevisionRef = builder.objectRef<RevisionRow>('Revision');
export const ReleaseBatchRef = builder.objectRef<BatchView & { order: ReleaseOrderRow }>('ReleaseBatch');
export const ReleaseInstanceRef = builder.objectRef<ObservedInstance>('ReleaseInstance');
export const InstanceFailureRef = builder.objectRef<InstanceFailureRow>('InstanceFailure');
export const ReleaseOrderTransitionRef = builder.objectRef<OrderTransitionRow>('ReleaseOrderTransition');
