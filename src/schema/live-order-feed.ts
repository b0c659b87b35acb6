/**
 * `releaseOrderFeed`: everything a console shows while a release order runs, in one stream with
 * cursors — the order's and its batches' progress (the engine's order updates), its environment's
 * instance changes and their Warning events (live status's environment stream). One hub stream per
 * order, however many consoles follow it. Its cursors name the order's version too, so that they stay valid
 * on another replica (src/schema/order-feed-cursor.ts).
 */
import type { ReleaseOrderRow } from '../db/release-tables.js';
import { targetOf } from '../engine/targets.js';
import type { EnvironmentEvent } from '../live/environment-feed.js';
import type { StreamSource } from '../live/hub.js';
import type { EnvironmentScope, LiveInstance, LiveSystemEvent } from '../live/instances.js';
import type { LiveStatus } from '../live/live-status.js';
import { appRule, freshChecksPerEvent, idIn } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { localIdOrNull } from './ids.js';
import { ended, LiveEventRef, mapDeliveries } from './live-events.js';
import { createEpochMemory, feedCursor, resumeAfter } from './order-feed-cursor.js';

/** An event of the feed, with the order's version the stream had seen when it happened (the cursor names it). */
type OrderFeedEvent = { version: number } & ({ type: 'order'; order: ReleaseOrderRow } | { type: 'environment'; event: EnvironmentEvent });

interface OrderFeedSnapshot {
  order: ReleaseOrderRow;
  instances: LiveInstance[];
  warnings: LiveSystemEvent[];
}

const WARNINGS_KEPT = 100;

/** The hub epochs of this process's order feeds: a cursor with one of them resumes in the hub. */
const epochs = createEpochMemory();

function orderSource(ctx: Context, live: LiveStatus, first: ReleaseOrderRow, scope: EnvironmentScope): StreamSource<OrderFeedEvent, OrderFeedSnapshot> {
  const instances = new Map<string, LiveInstance>();
  let warnings: LiveSystemEvent[] = [];
  /** The order as the engine's updates last told it (the first update is its current state). */
  let order = first;
  return {
    start(publish) {
      const environment = live.followEnvironment(scope, { filter: (e) => e.type === 'instance' || e.event.type === 'Warning' });
      const updates = ctx.releases.updates(first.id);
      let markReady!: () => void;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      void (async () => {
        for await (const d of environment) {
          if (d.type === 'snapshot') {
            instances.clear();
            for (const i of d.snapshot.instances) instances.set(i.name, i);
            warnings = d.snapshot.events.filter((e) => e.type === 'Warning').slice(0, WARNINGS_KEPT);
            markReady();
          } else if (d.type === 'event') {
            const e = d.event;
            if (e.type === 'instance') {
              if (e.change === 'REMOVED') instances.delete(e.instance.name);
              else instances.set(e.instance.name, e.instance);
            } else {
              warnings = [e.event, ...warnings.filter((w) => w.name !== e.event.name)].slice(0, WARNINGS_KEPT);
            }
            publish({ version: order.version, type: 'environment', event: e });
          }
        }
      })().catch((error: unknown) => ctx.logger.warn({ orderId: first.id, error: String(error) }, 'release order feed: environment stream failed'));
      void (async () => {
        let firstUpdate = true;
        for await (const u of updates) {
          order = u.order;
          if (firstUpdate) firstUpdate = false; // the current state: the snapshot tells it
          else publish({ version: u.order.version, type: 'order', order: u.order });
        }
      })().catch((error: unknown) => ctx.logger.warn({ orderId: first.id, error: String(error) }, 'release order feed: order updates failed'));
      return {
        ready,
        stop() {
          void environment.return?.();
          void updates.return?.();
        },
      };
    },
    snapshot: () => ({ order, instances: [...instances.values()].sort((a, b) => a.name.localeCompare(b.name)), warnings }),
  };
}

builder.subscriptionField('releaseOrderFeed', (t) =>
  t.field({
    type: LiveEventRef,
    description: 'Follows a release order with everything a console shows: a SNAPSHOT first (the order, its environment\'s instances and their latest Warning events), then in order RELEASE_ORDER_PROGRESS (order and batch progress), INSTANCE_CHANGED and SYSTEM_EVENT (Warnings only), each with a cursor. Ends at once when the ID names no order (or live status is off). ' + ACCESS.viewer,
    args: {
      id: t.arg.id({ required: true, description: 'The release order\'s global ID.' }),
      after: t.arg.string({ required: false, description: 'The cursor of the last event you received: resume right after it (what you missed first, or BUFFER_EXCEEDED and a fresh snapshot). A cursor from another cairn replica resumes with a SNAPSHOT (the order never older than the cursor\'s; the instances as this replica sees them) and no BUFFER_EXCEEDED. Without it, a snapshot comes first.' }),
    },
    authScopes: appRule('VIEWER', idIn((a: { id: string }) => a.id, 'ReleaseOrder')),
    subscribe: async (_root, args, ctx) => {
      const orderId = localIdOrNull(String(args.id), 'ReleaseOrder');
      const order = orderId === null ? undefined : await ctx.repos.releases.order(orderId);
      const env = order && (await ctx.repos.apps.environmentsByIds([order.environmentId]))[0];
      const target = env && (await targetOf(ctx.repos, env));
      const live = ctx.live;
      if (!order || !env || !target) return ended();
      // A cursor of another replica resumes by the order's version (src/schema/order-feed-cursor.ts).
      const resume = resumeAfter(args.after, order.version, epochs.knows);
      const after = resume.after;
      const source = live.hub.subscribe(`order:${order.id}`, () => orderSource(ctx, live, order, target), { after });
      /** The order's version this subscriber has seen (what it resumed from, then each delivery's). */
      let version = resume.version;
      const cursor = (hubCursor: string, seen: number) => {
        epochs.remember(hubCursor);
        version = seen;
        return feedCursor(seen, hubCursor);
      };
      return mapDeliveries(source, (d) => {
        if (d.type === 'bufferExceeded') {
          const missedFrom = d.missedFrom === after || d.missedFrom === args.after ? (args.after ?? null) : d.missedFrom && feedCursor(version, d.missedFrom);
          return { kind: 'BUFFER_EXCEEDED', cursor: cursor(d.cursor, version), missedFrom };
        }
        if (d.type === 'snapshot') {
          const s = d.snapshot;
          // Never older than what this subscriber read (the stream may hear of the order's last change a moment later).
          const newest = s.order.version >= order.version ? s.order : order;
          return { kind: 'SNAPSHOT', cursor: cursor(d.cursor, newest.version), instances: s.instances.map((i) => ({ ...i, environmentId: env.id })), events: s.warnings, releaseOrder: newest };
        }
        if (d.event.type === 'order' && d.event.version < version) return null; // older than what this subscriber has: never back
        const at = cursor(d.cursor, Math.max(version, d.event.version));
        if (d.event.type === 'order') return { kind: 'RELEASE_ORDER_PROGRESS', cursor: at, releaseOrder: d.event.order };
        const e = d.event.event;
        if (e.type === 'instance') return { kind: 'INSTANCE_CHANGED', cursor: at, change: e.change, instance: { ...e.instance, environmentId: env.id } };
        return { kind: 'SYSTEM_EVENT', cursor: at, event: e.event };
      });
    },
    resolve: (p, _args, ctx) => freshChecksPerEvent(p, ctx),
  }),
);
