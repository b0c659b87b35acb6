import { InvalidInputError, NotAllowedError, NotFoundError } from '../domain/errors.js';
import { problem } from '../domain/problems.js';
import type { ReleaseOrderRow } from '../db/release-tables.js';
import { applyEvent } from '../engine/apply.js';
import { createReleaseOrder } from '../engine/orders.js';
import type { OrderEvent } from '../engine/transition.js';
import { appRule, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { localId } from './ids.js';
import { actorOf } from './release-actor.js';
import { PauseModeEnum } from './release-enums.js';
import { ActiveReleaseOrderError, InvalidReleaseConfigError, NoChangesError } from './release-errors.js';
import { ReleaseOrderRef } from './release-refs.js';

const MAX_DESCRIPTION = 1000;

const CreateReleaseOrderInput = builder.inputType('CreateReleaseOrderInput', {
  description: 'A release order: which environment, in how many batches, and when to pause.',
  fields: (t) => ({
    environment: t.id({ required: true, description: 'The environment\'s global ID.' }),
    batchCount: t.int({ required: true, description: 'Into how many batches to split the instances: 1 to the instance count (4 instances in 2 batches → 2 per batch).' }),
    pauseMode: t.field({ type: PauseModeEnum, required: true, description: 'When the order pauses by itself: FIRST_BATCH, EVERY_BATCH or NONE.' }),
    description: t.string({ description: 'What this release is about (at most 1000 characters).' }),
    revision: t.int({
      description: 'Release this earlier revision (its number) again instead of the draft: how a finished release is undone. Omit to freeze the draft into a new revision.',
    }),
    restart: t.boolean({
      description:
        'Release the draft even when it is what the environment runs (no change in previewRelease): every instance is replaced, batch by batch, with the same configuration — a restart. Without it, such an order is refused with NoChangesError. Default false.',
    }),
  }),
});

const ReleaseOrderPayload = builder.objectRef<{ releaseOrder: ReleaseOrderRow }>('ReleaseOrderPayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The release order after the action.',
  fields: (t) => ({ releaseOrder: t.field({ type: ReleaseOrderRef, description: 'The order, as stored after the action.', resolve: (p) => p.releaseOrder }) }),
});

const orderInput = (name: string, description: string, extra?: 'pauseMode' | 'rollback' | 'close') =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      id: t.id({ required: true, description: 'The release order\'s global ID.' }),
      ...(extra === 'pauseMode' ? { pauseMode: t.field({ type: PauseModeEnum, required: true, description: 'The new pause mode: one of the two other modes.' }) } : {}),
      ...(extra === 'rollback'
        ? { pauseMode: t.field({ type: PauseModeEnum, description: 'When the rollback pauses by itself; it does not pause (NONE) unless asked.' }) }
        : {}),
      ...(extra === 'close' ? { reason: t.string({ description: 'Why the order is closed (recorded in its transitions).' }) } : {}),
    }),
  });

const ResumeInput = orderInput('ResumeReleaseOrderInput', 'The paused order to resume.');
const PauseModeInput = orderInput('SetReleaseOrderPauseModeInput', 'The order and its new pause mode.', 'pauseMode');
const RetryInput = orderInput('RetryFailedInstancesInput', 'The order whose failed instances to recreate.');
const CloseInput = orderInput('CloseReleaseOrderInput', 'The order to close.', 'close');
const RollbackInput = orderInput('RollbackReleaseOrderInput', 'The order to roll back.', 'rollback');

/** Runs one user action on an order: one transaction, then its followers are told and the engine is woken. */
async function act(ctx: Context, globalId: string, event: OrderEvent): Promise<{ releaseOrder: ReleaseOrderRow }> {
  const path = ['input', 'id'];
  const id = localId(globalId, 'ReleaseOrder', path);
  const applied = await ctx.repos.transaction(async () => {
    if (!(await ctx.repos.releases.order(id))) throw new NotFoundError('ReleaseOrder', globalId, path);
    return applyEvent(ctx.repos, id, event, actorOf(ctx), ctx.now());
  });
  ctx.logger.info({ orderId: id, action: event.type, state: applied.order.state, actor: actorOf(ctx) }, 'release order action');
  ctx.releases.changed(id);
  if (applied.wake) ctx.releases.wake(id);
  return { releaseOrder: applied.order };
}

const result = (name: string, what: string) => ({ name, description: `The order after ${what}, or why it was refused.` });

builder.mutationFields((t) => ({
  createReleaseOrder: t.field({
    type: ReleaseOrderPayload,
    description: 'Submits a release order: freezes the environment\'s draft configuration and image into a new numbered revision (or takes an earlier revision again with `revision`) and releases it batch by batch. One active order per environment. A draft identical to what runs is refused (NoChangesError) unless `restart` is set. ' + ACCESS.deployer,
    authScopes: appRule('DEPLOYER', idIn((a: { input: { environment: string } }) => a.input.environment, 'Environment')),
    args: { input: t.arg({ type: CreateReleaseOrderInput, required: true, description: 'The order.' }) },
    errors: {
      types: [NotFoundError, InvalidInputError, InvalidReleaseConfigError, ActiveReleaseOrderError, NoChangesError, NotAllowedError],
      union: { name: 'CreateReleaseOrderResult', description: 'The submitted order, or why it was refused.' },
    },
    resolve: async (_root, { input }, ctx) => {
      const path = ['input', 'environment'];
      const envId = localId(String(input.environment), 'Environment', path);
      if ((input.description ?? '').length > MAX_DESCRIPTION) {
        throw new InvalidInputError([problem(['input', 'description'], 'TOO_LONG', `At most ${MAX_DESCRIPTION} characters.`)]);
      }
      const actor = actorOf(ctx);
      const order = await ctx.repos.transaction(async () => {
        const environment = (await ctx.repos.apps.environmentsByIds([envId]))[0];
        if (!environment) throw new NotFoundError('Environment', String(input.environment), path);
        return createReleaseOrder(
          ctx.repos,
          {
            environment,
            batchCount: input.batchCount,
            pauseMode: input.pauseMode,
            description: input.description ?? '',
            revision: input.revision ?? null,
            restart: input.restart ?? false,
          },
          actor,
          ctx.now(),
        );
      });
      ctx.logger.info({ orderId: order.id, environmentId: envId, revision: order.toRevision, actor }, 'release order submitted');
      ctx.releases.wake(order.id);
      return { releaseOrder: order };
    },
  }),
  resumeReleaseOrder: t.field({
    type: ReleaseOrderPayload,
    authScopes: appRule('DEPLOYER', idIn((a: { input: { id: string } }) => a.input.id, 'ReleaseOrder')),
    description: 'Resumes a PAUSED order: it goes on with the next batch. Refused in any other state. ' + ACCESS.deployer,
    args: { input: t.arg({ type: ResumeInput, required: true, description: 'The order.' }) },
    errors: { types: [NotFoundError, NotAllowedError], union: result('ResumeReleaseOrderResult', 'resuming') },
    resolve: (_root, { input }, ctx) => act(ctx, String(input.id), { type: 'RESUME' }),
  }),
  setReleaseOrderPauseMode: t.field({
    type: ReleaseOrderPayload,
    authScopes: appRule('DEPLOYER', idIn((a: { input: { id: string } }) => a.input.id, 'ReleaseOrder')),
    description: 'Switches an active order\'s pause mode to one of the two other modes; it takes effect for the batches still to come. ' + ACCESS.deployer,
    args: { input: t.arg({ type: PauseModeInput, required: true, description: 'The order and the new mode.' }) },
    errors: { types: [NotFoundError, NotAllowedError], union: result('SetReleaseOrderPauseModeResult', 'switching its pause mode') },
    resolve: (_root, { input }, ctx) => act(ctx, String(input.id), { type: 'SET_PAUSE_MODE', mode: (input as { pauseMode: 'FIRST_BATCH' | 'EVERY_BATCH' | 'NONE' }).pauseMode }),
  }),
  retryFailedInstances: t.field({
    type: ReleaseOrderPayload,
    authScopes: appRule('DEPLOYER', idIn((a: { input: { id: string } }) => a.input.id, 'ReleaseOrder')),
    description: 'Recreates the failed instances of an order and lets it go on. Allowed at any time; succeeds doing nothing when nothing failed. ' + ACCESS.deployer,
    args: { input: t.arg({ type: RetryInput, required: true, description: 'The order.' }) },
    errors: { types: [NotFoundError, NotAllowedError], union: result('RetryFailedInstancesResult', 'the retry') },
    resolve: (_root, { input }, ctx) => act(ctx, String(input.id), { type: 'RETRY' }),
  }),
  closeReleaseOrder: t.field({
    type: ReleaseOrderPayload,
    authScopes: appRule('DEPLOYER', idIn((a: { input: { id: string } }) => a.input.id, 'ReleaseOrder')),
    description: 'Closes an order that has not completed: it stops and counts as failed (CLOSED). What runs stays as it is; fix the configuration and submit a new order. ' + ACCESS.deployer,
    args: { input: t.arg({ type: CloseInput, required: true, description: 'The order.' }) },
    errors: { types: [NotFoundError, NotAllowedError], union: result('CloseReleaseOrderResult', 'closing') },
    resolve: (_root, { input }, ctx) => act(ctx, String(input.id), { type: 'CLOSE', reason: (input as { reason?: string | null }).reason ?? null }),
  }),
  rollbackReleaseOrder: t.field({
    type: ReleaseOrderPayload,
    authScopes: appRule('DEPLOYER', idIn((a: { input: { id: string } }) => a.input.id, 'ReleaseOrder')),
    description: 'Rolls back an order during its release (deploying, paused or failed): returns the environment to the previous revision in batches of the same plan, without pausing unless asked. For a first release, removes the new instances. A completed order is undone with a new order of the previous revision instead. ' + ACCESS.deployer,
    args: { input: t.arg({ type: RollbackInput, required: true, description: 'The order.' }) },
    errors: { types: [NotFoundError, NotAllowedError], union: result('RollbackReleaseOrderResult', 'the rollback') },
    resolve: (_root, { input }, ctx) => act(ctx, String(input.id), { type: 'ROLLBACK', pauseMode: (input as { pauseMode?: 'FIRST_BATCH' | 'EVERY_BATCH' | 'NONE' | null }).pauseMode ?? null }),
  }),
}));
