import { resolveOffsetConnection } from '@pothos/plugin-relay';
import { deployedRevisionNumber } from '../engine/orders.js';
import { builder } from './builder.js';
import { EnvironmentRef } from './refs.js';
import { ReleaseOrderRef, RevisionRef } from './release-refs.js';

/** The revision the environment runs after its last finished order (used by environment.deployedRevision). */
export function deployedRevisionOf(repos: Parameters<typeof deployedRevisionNumber>[0], environmentId: number) {
  const n = deployedRevisionNumber(repos, environmentId);
  return n === null ? null : (repos.releases.revision(environmentId, n) ?? null);
}

builder.objectFields(EnvironmentRef, (t) => ({
  releaseOrders: t.connection(
    {
      type: ReleaseOrderRef,
      description: 'The environment\'s release orders, newest first.',
      resolve: (env, args, ctx) => {
        const totalCount = ctx.repos.releases.countOrders(env.id);
        return resolveOffsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount }, ({ offset, limit }) => ctx.repos.releases.ordersOf(env.id, offset, limit));
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
    resolve: (env, _args, ctx) => ctx.repos.releases.activeOrderOf(env.id) ?? null,
  }),
  revisions: t.connection(
    {
      type: RevisionRef,
      description: 'The environment\'s frozen revisions, newest first.',
      resolve: (env, args, ctx) => {
        const totalCount = ctx.repos.releases.countRevisions(env.id);
        return resolveOffsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount }, ({ offset, limit }) => ctx.repos.releases.revisionsOf(env.id, offset, limit));
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
      const observation = await ctx.releases.observe(env);
      return observation ? observation.instances.filter((p) => !p.terminating).length : null;
    },
  }),
}));
