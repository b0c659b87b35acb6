/**
 * System events (Kubernetes Events about an environment's pods): `instance.events` and
 * `environment.events`, newest first, served from live status's event informer.
 */
import type { EnvironmentRow } from '../db/tables.js';
import type { LiveSystemEvent } from '../live/instances.js';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';
import { arrayConnection } from './connections.js';
import { targetLoaded } from './environment-target.js';
import { loadersOf } from './loaders.js';
import type { Context } from './context.js';
import { InstanceRef } from './instance.js';
import { EnvironmentRef } from './refs.js';

export const InstanceEventRef = builder.objectRef<LiveSystemEvent>('InstanceEvent').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A system event about an instance (a Kubernetes Event of its pod): scheduling, image pulls, container starts, failed probes, back-offs …',
  fields: (t) => ({
    instanceName: t.exposeString('instanceName', { description: 'The name of the instance (pod) it is about.' }),
    type: t.exposeString('type', { description: 'Normal or Warning (Warnings matter most when a container will not start).' }),
    reason: t.exposeString('reason', { description: 'Scheduled, Pulling, Pulled, Created, Started, Unhealthy, BackOff, Killing, FailedPostStartHook …' }),
    message: t.exposeString('message', { description: 'What happened, in words.' }),
    count: t.exposeInt('count', { description: 'How many times it happened (repeats are aggregated).' }),
    firstSeenAt: t.field({ type: 'DateTime', nullable: true, description: 'When it first happened.', resolve: (e) => e.firstAt }),
    lastSeenAt: t.field({ type: 'DateTime', nullable: true, description: 'When it last happened.', resolve: (e) => e.lastAt }),
    source: t.exposeString('source', { nullable: true, description: 'Who reported it (kubelet, default-scheduler …).' }),
  }),
});

/** The environment's pod events, newest first; null when live status is off or the cluster cannot be read in time. */
export async function eventsOf(ctx: Context, env: EnvironmentRow): Promise<LiveSystemEvent[] | null> {
  const target = await targetLoaded(ctx, env);
  const view = target ? await ctx.live.environment(target) : null;
  return view ? view.events : null;
}

const InstanceEventConnection = builder.connectionObject(
  {
    type: InstanceEventRef,
    name: 'InstanceEventConnection',
    description: 'A page of system events, newest first.',
    fields: (c) => ({
      totalCount: c.int({ description: 'How many events match (`warningsOnly` applied), over all pages.', resolve: (conn) => (conn as { totalCount?: number }).totalCount ?? 0 }),
    }),
  },
  { name: 'InstanceEventEdge', description: 'One system event of a page, with its cursor.' },
);

const warningsOnlyArg = { description: 'Only Warning events.' };

builder.objectFields(EnvironmentRef, (t) => ({
  events: t.connection(
    {
      type: InstanceEventRef,
      nullable: true,
      description: 'The system events of the environment\'s instances, newest first; null when the cluster cannot be read.',
      args: { warningsOnly: t.arg.boolean({ defaultValue: false, required: true, ...warningsOnlyArg }) },
      resolve: async (env, args, ctx) => {
        const events = await eventsOf(ctx, env);
        if (!events) return null;
        const matching = args.warningsOnly ? events.filter((e) => e.type === 'Warning') : events;
        return arrayConnection(args, matching);
      },
    },
    InstanceEventConnection,
  ),
}));

builder.objectFields(InstanceRef, (t) => ({
  events: t.connection(
    {
      type: InstanceEventRef,
      nullable: true,
      description: 'The instance\'s system events, newest first; null when the cluster cannot be read.',
      args: { warningsOnly: t.arg.boolean({ defaultValue: false, required: true, ...warningsOnlyArg }) },
      resolve: async (instance, args, ctx) => {
        const env = await loadersOf(ctx).environment.load(instance.environmentId);
        const events = env ? await eventsOf(ctx, env) : null;
        if (!events) return null;
        const mine = events.filter((e) => e.instanceName === instance.name && (!args.warningsOnly || e.type === 'Warning'));
        return arrayConnection(args, mine);
      },
    },
    InstanceEventConnection,
  ),
}));
