import { deployedRevisionNumber, revisionLeftRunning } from '../engine/orders.js';
import { builder } from './builder.js';
import { offsetConnection } from './connections.js';
import type { Context } from './context.js';
import { loadersOf } from './loaders.js';
import { EnvironmentRef } from './refs.js';
import { ReleaseOrderRef, RevisionRef } from './release-refs.js';

/** The revision the environment runs after its last finished order (used by environment.deployedRevision). */
export async function deployedRevisionOf(repos: Parameters<typeof deployedRevisionNumber>[0], environmentId: number) {
  const n = await deployedRevisionNumber(repos, environmentId);
  return n === null ? null : ((await repos.releases.revision(environmentId, n)) ?? null);
}

/** The same, through the request's loaders: one statement for every environment of a page. */
export async function deployedRevisionLoaded(ctx: Context, environmentId: number) {
  const loaders = loadersOf(ctx);
  const n = revisionLeftRunning(await loaders.lastCompletedOrderOfEnvironment.load(environmentId));
  return n === null ? null : loaders.revision.load({ environmentId, number: n });
}

builder.objectFields(EnvironmentRef, (t) => ({
  releaseOrders: t.connection(
    {
      type: ReleaseOrderRef,
      description: 'The environment\'s release orders, newest first.',
      resolve: async (env, args, ctx) => {
        const loaders = loadersOf(ctx);
        const totalCount = await loaders.orderCountOfEnvironment.load(env.id);
        return offsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount }, ({ offset, limit }) =>
          loaders.ordersOfEnvironment.load({ environmentId: env.id, offset, limit }),
        );
      },
    },
    {
      name: 'ReleaseOrderConnection',
      description: 'A page of release orders.',
      fields: (c) => ({
        totalCount: c.int({ description: 'How many release orders the environment has, over all pages.', resolve: (conn) => (conn as { totalCount?: number }).totalCount ?? 0 }),
      }),
    },
    { name: 'ReleaseOrderEdge', description: 'One release order of a page, with its cursor.' },
  ),
  activeReleaseOrder: t.field({
    type: ReleaseOrderRef,
    nullable: true,
    description: 'The order in progress (DEPLOYING, PAUSED, FAILED or ROLLING_BACK); null when none is.',
    resolve: (env, _args, ctx) => loadersOf(ctx).activeOrderOfEnvironment.load(env.id),
  }),
  revisions: t.connection(
    {
      type: RevisionRef,
      description: 'The environment\'s frozen revisions, newest first.',
      resolve: async (env, args, ctx) => {
        const loaders = loadersOf(ctx);
        const totalCount = await loaders.revisionCountOfEnvironment.load(env.id);
        return offsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount }, ({ offset, limit }) =>
          loaders.revisionsOfEnvironment.load({ environmentId: env.id, offset, limit }),
        );
      },
    },
    {
      name: 'RevisionConnection',
      description: 'A page of revisions.',
      fields: (c) => ({
        totalCount: c.int({ description: 'How many revisions the environment has, over all pages.', resolve: (conn) => (conn as { totalCount?: number }).totalCount ?? 0 }),
      }),
    },
    { name: 'RevisionEdge', description: 'One revision of a page, with its cursor.' },
  ),
  runningInstances: t.int({
    nullable: true,
    description: 'How many instances run in the environment now (pods not being deleted, any revision); null when the cluster cannot be read.',
    resolve: async (env, _args, ctx) => {
      const app = await loadersOf(ctx).app.load(env.appId);
      const observation = app ? await ctx.releases.observe(env, app) : null;
      return observation ? observation.instances.filter((p) => !p.terminating).length : null;
    },
  }),
}));
