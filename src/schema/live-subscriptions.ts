/** `instancesChanged` and `instanceEvents`: an environment's live status over graphql-ws or SSE. */
import type { EnvironmentRow } from '../db/tables.js';
import { targetOf } from '../engine/targets.js';
import type { EnvironmentEvent, EnvironmentSnapshot } from '../live/environment-feed.js';
import type { Delivery } from '../live/hub.js';
import { appRule, freshChecksPerEvent, idIn } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import type { InstanceView } from './instance.js';
import { decodeId, localIdOrNull } from './ids.js';
import { ended, LiveEventRef, mapDeliveries, type LivePayload } from './live-events.js';

const afterArg = { description: 'The cursor of the last event you received: resume right after it (what you missed first, or BUFFER_EXCEEDED and a fresh snapshot). Without it, a snapshot comes first.' };

export async function environmentById(ctx: Context, id: string): Promise<EnvironmentRow | undefined> {
  const n = localIdOrNull(id, 'Environment');
  return n === null ? undefined : (await ctx.repos.apps.environmentsByIds([n]))[0];
}

/**
 * Views and payloads built once and shared by every subscriber (frozen: nothing may change them). The hub
 * hands one delivery object to every subscriber of an event, and its snapshots hold the informer's own
 * instance objects: ten thousand subscribers of one environment cost one payload per event (and one view
 * per instance), not one copy each. Each subscriber keeps its own cursors and order (its own deliveries).
 */
const views = new WeakMap<object, InstanceView>();
const eventPayloads = new WeakMap<object, LivePayload>();

/** The instance as the schema shows it (its environment's ID beside it), shared. */
function instanceView(instance: EnvironmentSnapshot['instances'][number], environmentId: number): InstanceView {
  const kept = views.get(instance);
  if (kept !== undefined && kept.environmentId === environmentId) return kept;
  const view = Object.freeze({ ...instance, environmentId });
  views.set(instance, view);
  return view;
}

/** The payload of one event delivery (shared when the delivery is: a live event), or null for what the subscription does not show. */
function eventPayload(environmentId: number, d: Extract<Delivery<EnvironmentEvent, EnvironmentSnapshot>, { type: 'event' }>, show: { instances: boolean; events: (e: EnvironmentSnapshot['events'][number]) => boolean }): LivePayload | null {
  const e = d.event;
  if (e.type === 'instance' ? !show.instances : !show.events(e.event)) return null;
  const kept = eventPayloads.get(d);
  if (kept !== undefined && (kept.kind !== 'INSTANCE_CHANGED' || kept.instance.environmentId === environmentId)) return kept;
  const payload: LivePayload =
    e.type === 'instance'
      ? Object.freeze({ kind: 'INSTANCE_CHANGED', cursor: d.cursor, change: e.change, instance: instanceView(e.instance, environmentId) })
      : Object.freeze({ kind: 'SYSTEM_EVENT', cursor: d.cursor, event: e.event });
  eventPayloads.set(d, payload);
  return payload;
}

/** An environment delivery as a payload (null for what the subscription does not show). */
export function environmentPayload(environmentId: number, d: Delivery<EnvironmentEvent, EnvironmentSnapshot>, show: { instances: boolean; events: (e: EnvironmentSnapshot['events'][number]) => boolean }): LivePayload | null {
  if (d.type === 'bufferExceeded') return { kind: 'BUFFER_EXCEEDED', cursor: d.cursor, missedFrom: d.missedFrom };
  if (d.type === 'snapshot') {
    return {
      kind: 'SNAPSHOT',
      cursor: d.cursor,
      instances: show.instances ? d.snapshot.instances.map((i) => instanceView(i, environmentId)) : [],
      events: d.snapshot.events.filter(show.events).slice(0, 100),
      releaseOrder: null,
    };
  }
  return eventPayload(environmentId, d, show);
}

const isInstanceEvent = (e: EnvironmentEvent) => e.type === 'instance';
const INSTANCES_ONLY = { instances: true, events: () => false };

builder.subscriptionField('instancesChanged', (t) =>
  t.field({
    type: LiveEventRef,
    description: 'Follows an environment\'s instances: a SNAPSHOT first, then one INSTANCE_CHANGED per change (added, updated, removed), in order, each with a cursor. Ends at once when the ID names no environment (or live status is off). ' + ACCESS.viewer,
    args: {
      environment: t.arg.id({ required: true, description: 'The environment\'s global ID.' }),
      after: t.arg.string({ required: false, ...afterArg }),
    },
    authScopes: appRule('VIEWER', idIn((a: { environment: string }) => a.environment, 'Environment')),
    subscribe: async (_root, args, ctx) => {
      const env = await environmentById(ctx, String(args.environment));
      const target = env && (await targetOf(ctx.repos, env));
      if (!env || !target) return ended();
      const source = ctx.live.followEnvironment(target, { after: args.after, filter: isInstanceEvent });
      // What the member keeps for its whole life: the environment's ID (not its row).
      const id = env.id;
      return mapDeliveries(source, (d) => environmentPayload(id, d, INSTANCES_ONLY));
    },
    resolve: (p, _args, ctx) => freshChecksPerEvent(p, ctx),
  }),
);

builder.subscriptionField('instanceEvents', (t) =>
  t.field({
    type: LiveEventRef,
    description: 'Follows the system events of an environment\'s instances, or of one instance: a SNAPSHOT of the latest first, then one SYSTEM_EVENT per new or repeated event, in order, each with a cursor. Give `environment` or `instance`. Ends at once when the ID names nothing (or live status is off). ' + ACCESS.viewer,
    args: {
      environment: t.arg.id({ required: false, description: 'The environment\'s global ID (all its instances).' }),
      instance: t.arg.id({ required: false, description: 'An instance\'s global ID (only its events).' }),
      warningsOnly: t.arg.boolean({ required: true, defaultValue: false, description: 'Only Warning events (those that matter when a container will not start).' }),
      after: t.arg.string({ required: false, ...afterArg }),
    },
    // The instance when given (as the resolver does), else the environment.
    authScopes: appRule(
      'VIEWER',
      idIn((a: { environment?: string | null; instance?: string | null }) => a.instance ?? a.environment, 'Instance', 'Environment'),
    ),
    subscribe: async (_root, args, ctx) => {
      let env: EnvironmentRow | undefined;
      let podName: string | null = null;
      if (args.instance != null) {
        const local = localInstanceId(String(args.instance));
        env = local ? (await ctx.repos.apps.environmentsByIds([local.environmentId]))[0] : undefined;
        podName = local?.name ?? null;
      } else if (args.environment != null) {
        env = await environmentById(ctx, String(args.environment));
      }
      const target = env && (await targetOf(ctx.repos, env));
      if (!env || !target) return ended();
      const wanted = (e: { type: string; instanceName: string }) => (!args.warningsOnly || e.type === 'Warning') && (podName === null || e.instanceName === podName);
      const source = ctx.live.followEnvironment(target, { after: args.after, filter: (e) => e.type === 'systemEvent' && wanted(e.event) });
      const id = env.id;
      return mapDeliveries(source, (d) => environmentPayload(id, d, { instances: false, events: wanted }));
    },
    resolve: (p, _args, ctx) => freshChecksPerEvent(p, ctx),
  }),
);

/** The environment ID and pod name inside an Instance's global ID. */
export function localInstanceId(globalId: string): { environmentId: number; name: string } | null {
  const decoded = decodeId(globalId);
  if (decoded === null || decoded.typename !== 'Instance') return null;
  const at = decoded.id.indexOf('/');
  return { environmentId: Number(decoded.id.slice(0, at)), name: decoded.id.slice(at + 1) };
}
