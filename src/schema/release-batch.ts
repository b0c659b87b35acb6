import { ownedByApp, REACHED_THROUGH_PARENT } from './auth-rules.js';
import type { ReleaseOrderRow } from '../db/release-tables.js';
import type { BatchView } from '../engine/batches.js';
import { statusOf } from '../live/instances.js';
import { appIdOfEnvironment } from './auth-app-ids.js';
import { builder } from './builder.js';
import { failureReasonOf, InstanceFailureReasonEnum, InstanceProblemReasonEnum, problemReasonOf } from './failure-reasons.js';
import { InstanceStatusEnum } from './instance.js';
import { ReleaseBatchStateEnum, ReleaseDirectionEnum, ReleaseOrderStateEnum } from './release-enums.js';
import { InstanceFailureRef, ReleaseBatchRef, ReleaseInstanceRef, ReleaseOrderTransitionRef } from './release-refs.js';

ReleaseBatchRef.implement({
  authScopes: ownedByApp((b: BatchView & { order: ReleaseOrderRow }, ctx) => appIdOfEnvironment(ctx, b.order.environmentId)),
  description: 'One batch of a release order (in its current direction): how many instances it takes over, where it stands, and those instances.',
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'The batch\'s position in the plan, from 1.' }),
    size: t.exposeInt('size', { description: 'How many instances the batch takes over.' }),
    state: t.field({ type: ReleaseBatchStateEnum, description: 'Where the batch stands.', resolve: (b) => b.state }),
    instances: t.field({
      type: [ReleaseInstanceRef],
      description:
        'The instances of the revision this batch brings up, as the cluster shows them now (stateless: in creation order; stateful: from the highest ordinal down). Empty when the cluster cannot be read.',
      resolve: (b) => b.instances,
    }),
    failures: t.field({ type: [InstanceFailureRef], description: 'The unresolved failures of this batch, with their reasons.', resolve: (b) => b.failures }),
  }),
});

ReleaseInstanceRef.implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'One instance (pod) of the environment as the cluster shows it now.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The pod\'s name.' }),
    revision: t.exposeInt('revision', { nullable: true, description: 'The revision number the instance runs; null for a pod cairn did not label.' }),
    phase: t.exposeString('phase', { description: 'The pod\'s phase: Pending, Running, Succeeded, Failed or Unknown.' }),
    status: t.field({ type: InstanceStatusEnum, description: 'What it is doing, derived from its phase, containers and Warning events (as `Instance.status`).', resolve: (i) => statusOf(i) }),
    ready: t.exposeBoolean('ready', { description: 'Whether the instance passes its readiness check (and is not being deleted).' }),
    restarts: t.exposeInt('restarts', { description: 'How many times its containers restarted.' }),
    reason: t.field({
      type: InstanceProblemReasonEnum,
      nullable: true,
      description: 'Why the instance cannot become Ready (as `Instance.problem.reason`); null when nothing is wrong.',
      resolve: (i) => (i.failure ? problemReasonOf(i.failure.reason) : null),
    }),
    message: t.string({ nullable: true, description: 'The reason in words (the event\'s or the container state\'s message).', resolve: (i) => i.failure?.message ?? null }),
    node: t.exposeString('node', { nullable: true, description: 'The node it runs on; null until scheduled.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the pod was created.', resolve: (i) => i.createdAt }),
  }),
});

InstanceFailureRef.implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'An instance that could not become Ready during a batch, and why.',
  fields: (t) => ({
    instanceName: t.exposeString('instanceName', {
      description:
        'The pod\'s name; for a step of the order that failed (reason CLUSTER_REFUSED, or DEADLINE_EXCEEDED while a step kept failing), the object as Kind/name, e.g. Deployment/shop-production-r2; or a note when no instance could be created at all.',
    }),
    batch: t.int({ description: 'The batch it belonged to, from 1.', resolve: (f) => f.batch + 1 }),
    direction: t.field({ type: ReleaseDirectionEnum, description: 'Whether it failed while releasing or while rolling back.', resolve: (f) => f.direction }),
    reason: t.field({ type: InstanceFailureReasonEnum, description: 'Why, as cairn classifies it: an instance\'s problem, the batch deadline or a step the cluster refused.', resolve: (f) => failureReasonOf(f.reason) }),
    message: t.exposeString('message', { description: 'The reason in words, as the cluster gave it (for CLUSTER_REFUSED: the step, the object and the API server\'s message).' }),
    firstSeenAt: t.field({ type: 'DateTime', description: 'When cairn saw the failure.', resolve: (f) => f.firstSeenAt }),
    resolvedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When a retry or a rollback left the failure behind; null while it stands.',
      resolve: (f) => f.resolvedAt,
    }),
  }),
});

ReleaseOrderTransitionRef.implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'One state change of a release order: who, when and why.',
  fields: (t) => ({
    from: t.field({ type: ReleaseOrderStateEnum, nullable: true, description: 'The state before; null for the submission.', resolve: (r) => r.fromState }),
    to: t.field({ type: ReleaseOrderStateEnum, description: 'The state after.', resolve: (r) => r.toState }),
    actor: t.exposeString('actor', { description: 'Who caused it: the name of the API token that acted, or "cairn" for the engine\'s own steps.' }),
    reason: t.exposeString('reason', { description: 'Why, in words.' }),
    at: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (r) => r.at }),
  }),
});
