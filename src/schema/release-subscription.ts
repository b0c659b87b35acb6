import type { OrderUpdate } from '../engine/order-updates.js';
import { appRule, freshChecksPerEvent, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { localIdOrNull } from './ids.js';
import { sharedOrderUpdates } from './live-order-updates.js';
import { ReleaseOrderRef } from './release-refs.js';

const ReleaseOrderUpdateRef = builder.objectRef<OrderUpdate>('ReleaseOrderUpdate').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'One change of a release order, its batches or their instances.',
  fields: (t) => ({
    sequence: t.exposeInt('sequence', {
      description: 'Rises with every update this subscription receives (never repeats); it follows the number the release engine gives each change of the order (on several replicas, the same on every replica), so a jump means changes were merged into this one. It may start again after cairn restarts.',
    }),
    releaseOrder: t.field({ type: ReleaseOrderRef, description: 'The order as it is now, with its batches and instances.', resolve: (u) => u.order }),
  }),
});

builder.subscriptionField('releaseOrderUpdated', (t) =>
  t.field({
    type: ReleaseOrderUpdateRef,
    description: 'Follows a release order: first its current state, then one event each time the order, its batches or their instances change (state, pause mode, batch progress, an instance becoming Ready or failing). Ends at once when the ID names no order. ' + ACCESS.viewer,
    args: { id: t.arg.id({ required: true, description: 'The release order\'s global ID.' }) },
    authScopes: appRule('VIEWER', idIn((a: { id: string }) => a.id, 'ReleaseOrder')),
    subscribe: async (_root, { id }, ctx) => {
      const orderId = localIdOrNull(String(id), 'ReleaseOrder');
      const order = orderId === null ? undefined : await ctx.repos.releases.order(orderId);
      if (!order) return (async function* (): AsyncGenerator<OrderUpdate> {})();
      return sharedOrderUpdates(ctx, order.id);
    },
    resolve: (update, _args, ctx) => freshChecksPerEvent(update, ctx),
  }),
);
