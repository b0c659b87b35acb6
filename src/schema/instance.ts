/**
 * Instances (pods) of an environment, from live status's informer caches: `environment.instances`,
 * `instance(id)` through `node`, and the Instance type the live subscriptions carry.
 */
import { mayActOnApp } from '../auth/roles.js';
import type { EnvironmentRow } from '../db/tables.js';
import type { LiveInstance } from '../live/instances.js';
import { ownedByApp, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { appIdOfEnvironment } from './auth-app-ids.js';
import { builder } from './builder.js';
import { InstanceProblemReasonEnum, problemReasonOf } from './failure-reasons.js';
import { targetLoaded } from './environment-target.js';
import { loadersOf } from './loaders.js';
import type { Context } from './context.js';
import { EnvironmentRef } from './refs.js';
import { roleOnOwnApp } from '../live/fanout/viewer-reads.js';

/** An instance as the API shows it: live status's view plus the environment it belongs to. */
export type InstanceView = LiveInstance & { environmentId: number };

export const InstanceRef = builder.objectRef<InstanceView>('Instance');

/** The environment's instances now; null when live status is off or the cluster cannot be read in time. */
export async function instancesOf(ctx: Context, env: EnvironmentRow): Promise<InstanceView[] | null> {
  const target = await targetLoaded(ctx, env);
  const view = target ? await ctx.live.environment(target) : null;
  return view ? view.instances.map((i) => ({ ...i, environmentId: env.id })) : null;
}

export const InstanceStatusEnum = builder.enumType('InstanceStatus', {
  description: 'What an instance is doing, derived from its pod\'s phase, conditions and containers, and its Warning events (the failure classification the release engine uses).',
  values: {
    PENDING: { description: 'Waiting for a node.' },
    STARTING: { description: 'On a node; its containers are being created or started.' },
    RUNNING: { description: 'Every container runs, but the readiness check has not passed (yet).' },
    READY: { description: 'Running and passing its readiness check: it takes traffic.' },
    CRASH_LOOP: { description: 'A container keeps exiting and is restarted with back-off.' },
    IMAGE_PULL_FAILED: { description: 'The image cannot be pulled (wrong tag, no access).' },
    OOM_KILLED: { description: 'A container was killed for going over its memory limit.' },
    CONFIG_ERROR: { description: 'A container cannot be created from its configuration (a missing ConfigMap or Secret key …).' },
    POST_START_HOOK_FAILED: { description: 'The PostStart hook failed, so the container was killed.' },
    UNSCHEDULABLE: { description: 'No node can run it (not enough CPU or memory), for over a minute.' },
    TERMINATING: { description: 'Being deleted.' },
    SUCCEEDED: { description: 'Its containers exited with success and will not restart.' },
    FAILED: { description: 'Its containers exited with failure and will not restart.' },
  },
});

const ContainerStateEnum = builder.enumType('ContainerStateName', {
  description: 'The state of a container, as Kubernetes reports it.',
  values: {
    WAITING: { description: 'Not running yet (or again): see `reason`, e.g. ContainerCreating, CrashLoopBackOff, ImagePullBackOff.' },
    RUNNING: { description: 'Running.' },
    TERMINATED: { description: 'Exited: see `reason` and `exitCode`.' },
    UNKNOWN: { description: 'No state reported yet.' },
  },
});

const ContainerRef = builder.objectRef<LiveInstance['containers'][number]>('InstanceContainer').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'One container of an instance, with its state and why it is in it.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The container\'s name.' }),
    state: t.field({ type: ContainerStateEnum, description: 'Waiting, running or terminated.', resolve: (c) => c.state.toUpperCase() as 'WAITING' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why it waits or terminated (ContainerCreating, CrashLoopBackOff, OOMKilled, Completed …); null while running.' }),
    message: t.exposeString('message', { nullable: true, description: 'The human detail of that reason, when Kubernetes gives one.' }),
    exitCode: t.exposeInt('exitCode', { nullable: true, description: 'The exit code, when terminated.' }),
    ready: t.exposeBoolean('ready', { description: 'The container passes its readiness check.' }),
    restarts: t.exposeInt('restarts', { description: 'How many times it was restarted.' }),
    lastTerminationReason: t.exposeString('lastTerminationReason', { nullable: true, description: 'Why it ended last time (OOMKilled, Error …); null when it never ended.' }),
  }),
});

const FailureRef = builder.objectRef<NonNullable<LiveInstance['failure']>>('InstanceProblem').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'Why an instance cannot become Ready, as the release engine would classify it.',
  fields: (t) => ({
    reason: t.field({ type: InstanceProblemReasonEnum, description: 'Why, as cairn classifies it (the reasons a release order\'s failures carry too).', resolve: (f) => problemReasonOf(f.reason) }),
    kubernetesReason: t.string({
      nullable: true,
      description: 'Kubernetes\' own word for it: the container\'s waiting or termination reason (ErrImagePull, CrashLoopBackOff, OOMKilled …), the event\'s (FailedPostStartHook) or the condition\'s (Unschedulable); null when not known.',
      resolve: (f) => f.kubernetesReason ?? null,
    }),
    message: t.exposeString('message', { description: 'The human reason: the event\'s, the container state\'s or the condition\'s message.' }),
  }),
});

builder.node(InstanceRef, {
  extensions: roleOnOwnApp('loadOne (node(id:)) checks the caller\'s role on the instance\'s own app'),
  description: 'One instance (a pod) of an environment, as its cluster shows it now.',
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'environmentId' in v && 'restarts' in v,
  authScopes: ownedByApp((i: InstanceView, ctx) => appIdOfEnvironment(ctx, i.environmentId)),
  id: { resolve: (i) => `${i.environmentId}/${i.name}` },
  loadOne: async (id, ctx) => {
    const at = id.indexOf('/');
    const env = (await ctx.repos.apps.environmentsByIds([Number(id.slice(0, at))]))[0];
    // Another app's instance is not even looked up: that would watch its cluster namespace for a caller without a role there.
    if (at < 1 || !env || !mayActOnApp(ctx.viewer, env.appId, 'VIEWER')) return null;
    return (await instancesOf(ctx, env))?.find((i) => i.name === id.slice(at + 1)) ?? null;
  },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The pod\'s name, as kubectl shows it (logs, exec and terminals take the instance\'s `id`).' }),
    environment: t.field({
      type: EnvironmentRef,
      nullable: true,
      description: 'The environment it belongs to; null when that environment was deleted.',
      resolve: (i, _args, ctx) => loadersOf(ctx).environment.load(i.environmentId),
    }),
    revision: t.exposeInt('revision', { nullable: true, description: 'The revision it runs (its cairn.dev/revision label); null for a pod without one.' }),
    phase: t.exposeString('phase', { description: 'The pod\'s phase: Pending, Running, Succeeded, Failed or Unknown.' }),
    status: t.field({ type: InstanceStatusEnum, description: 'What it is doing, derived from its phase, containers and Warning events.', resolve: (i) => i.status }),
    problem: t.field({ type: FailureRef, nullable: true, description: 'Why it cannot become Ready; null when nothing is wrong (yet).', resolve: (i) => i.failure }),
    ready: t.exposeBoolean('ready', { description: 'It passes its readiness check and is not being deleted.' }),
    restarts: t.exposeInt('restarts', { description: 'Restarts of all its containers.' }),
    node: t.exposeString('node', { nullable: true, description: 'The node it runs on; null before it is scheduled.' }),
    ip: t.exposeString('ip', { nullable: true, description: 'Its pod IP; null before it has one.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the pod was created.', resolve: (i) => i.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, description: 'When its node took it (status.startTime); null before.', resolve: (i) => i.startedAt }),
    containers: t.field({ type: [ContainerRef], description: 'Its containers, with their states and reasons.', resolve: (i) => i.containers }),
    resourceVersion: t.exposeString('resourceVersion', { description: 'The pod\'s resourceVersion: changes with every change of the pod.' }),
  }),
});

builder.objectFields(EnvironmentRef, (t) => ({
  instances: t.field({
    type: [InstanceRef],
    nullable: true,
    description: 'The environment\'s instances (pods, any revision, also those being deleted), by name, also when no release is active; null when the cluster cannot be read.',
    resolve: (env, _args, ctx) => instancesOf(ctx, env),
  }),
}));
