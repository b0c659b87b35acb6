import { describeBatches } from '../engine/batches.js';
import { isTerminal } from '../engine/order-state.js';
import type { ReleaseOrderRow } from '../db/release-tables.js';
import { appIdOfEnvironment } from './auth-app-ids.js';
import { idIn, ownedByApp, readRule } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { failureReasonOf, InstanceFailureReasonEnum } from './failure-reasons.js';
import { loadersOf } from './loaders.js';
import { byRequestedIds } from './node-order.js';
import { localIdOrNull } from './ids.js';
import { EnvironmentRef } from './refs.js';
import { PauseModeEnum, ReleaseDirectionEnum, ReleaseOrderKindEnum, ReleaseOrderStateEnum } from './release-enums.js';
import { InstanceFailureRef, ReleaseBatchRef, ReleaseOrderRef, ReleaseOrderTransitionRef, RevisionRef } from './release-refs.js';

builder.node(ReleaseOrderRef, {
  description:
    'A release order: deploys a frozen revision to an environment batch by batch, pausing where its pause mode says, and can be resumed, retried, closed or rolled back. Every state change is recorded in `transitions`.',
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'plan' in v && 'pauseMode' in v,
  authScopes: ownedByApp((o: ReleaseOrderRow, ctx) => appIdOfEnvironment(ctx, o.environmentId)),
  id: { resolve: (o) => o.id },
  loadMany: async (ids, ctx) => byRequestedIds(ids, await ctx.repos.releases.ordersByIds(ids.map(Number))),
  fields: (t) => ({
    environment: t.field({
      type: EnvironmentRef,
      description: 'The environment the order deploys to.',
      resolve: async (o, _args, ctx) => (await loadersOf(ctx).environment.load(o.environmentId))!,
    }),
    kind: t.field({ type: ReleaseOrderKindEnum, description: 'RELEASE of a new revision, or ROLLBACK to an earlier one.', resolve: (o) => o.kind }),
    state: t.field({ type: ReleaseOrderStateEnum, description: 'Where the order stands.', resolve: (o) => o.state }),
    active: t.boolean({ description: 'True while the order holds its environment (DEPLOYING, PAUSED, FAILED or ROLLING_BACK).', resolve: (o) => !isTerminal(o.state) }),
    direction: t.field({ type: ReleaseDirectionEnum, description: 'FORWARD while releasing, BACKWARD once rolled back.', resolve: (o) => o.direction }),
    pauseMode: t.field({ type: PauseModeEnum, description: 'When the order pauses by itself (for the batches still to come).', resolve: (o) => o.pauseMode }),
    description: t.exposeString('description', { description: 'What the submitter wrote about the order.' }),
    batchCount: t.int({ description: 'How many batches the instances are split into.', resolve: (o) => o.plan.length }),
    batchSizes: t.intList({ description: 'The size of each batch, in order (sizes differ by at most one, larger first).', resolve: (o) => o.plan }),
    batchesDone: t.int({ description: 'Batches finished in the current direction.', resolve: (o) => o.cursor.batchesDone }),
    revision: t.field({
      type: RevisionRef,
      description: 'The revision the order deploys.',
      resolve: async (o, _args, ctx) => (await loadersOf(ctx).revision.load({ environmentId: o.environmentId, number: o.toRevision }))!,
    }),
    previousRevision: t.field({
      type: RevisionRef,
      nullable: true,
      description: 'The revision that ran before the order (what a rollback returns to); null for the first release.',
      resolve: (o, _args, ctx) => (o.fromRevision === null ? null : loadersOf(ctx).revision.load({ environmentId: o.environmentId, number: o.fromRevision })),
    }),
    batches: t.field({
      type: [ReleaseBatchRef],
      description: 'The batches in the current direction, each with its state and the instances it brings up (read from the cluster now).',
      resolve: async (o, _args, ctx) => {
        const loaders = loadersOf(ctx);
        const [env, failures] = await Promise.all([loaders.environment.load(o.environmentId), loaders.failuresOfOrder.load(o.id)]);
        const app = (await loaders.app.load(env!.appId))!;
        const observation = await ctx.releases.observe(env!, app);
        return describeBatches(o, app.appType, observation, failures).map((b) => ({ ...b, order: o }));
      },
    }),
    failureReason: t.field({
      type: InstanceFailureReasonEnum,
      nullable: true,
      description: 'While the order is FAILED: the reason of its first open failure (as in `failures`); null in any other state.',
      resolve: async (o, _args, ctx) => {
        if (o.state !== 'FAILED') return null;
        const open = (await loadersOf(ctx).failuresOfOrder.load(o.id)).find((f) => f.resolvedAt === null);
        return open ? failureReasonOf(open.reason) : null;
      },
    }),
    failures: t.field({
      type: [InstanceFailureRef],
      description: 'Every instance failure of the order, oldest first, resolved ones included.',
      resolve: (o, _args, ctx) => loadersOf(ctx).failuresOfOrder.load(o.id),
    }),
    transitions: t.field({
      type: [ReleaseOrderTransitionRef],
      description: 'Every state change, oldest first, with actor, time and reason.',
      resolve: (o, _args, ctx) => loadersOf(ctx).transitionsOfOrder.load(o.id),
    }),
    createdBy: t.exposeString('createdBy', { description: 'Who submitted the order.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the order was submitted.', resolve: (o) => o.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'When the order last changed.', resolve: (o) => o.updatedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the order completed, was closed or rolled back; null while active.', resolve: (o) => o.finishedAt }),
  }),
});

builder.queryFields((t) => ({
  releaseOrder: t.field({
    type: ReleaseOrderRef,
    nullable: true,
    description: 'A release order by its global ID; null when nothing has that ID, or when it belongs to an app the caller has no role on. ' + ACCESS.read,
    args: { id: t.arg.id({ required: true, description: 'The order\'s global ID.' }) },
    authScopes: readRule(idIn((a: { id: string }) => a.id, 'ReleaseOrder')),
    unauthorizedResolver: () => null,
    resolve: async (_root, { id }, ctx) => {
      const n = localIdOrNull(String(id), 'ReleaseOrder');
      return n === null ? null : ((await ctx.repos.releases.order(n)) ?? null);
    },
  }),
}));
