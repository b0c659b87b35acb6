import type { EnvironmentRow } from '../db/tables.js';
import { appIdOfEnvironmentRow } from './auth-app-ids.js';
import { ownedByApp } from './auth-rules.js';
import { builder } from './builder.js';
import { byRequestedIds } from './node-order.js';
import { ClusterRef } from './cluster.js';
import { EnvironmentKindEnum } from './enums.js';
import { AppRef, DeploymentConfigRef, EnvironmentRef } from './refs.js';
import { RevisionRef } from './revision.js';
import { deployedRevisionLoaded } from './release-environment.js';
import { loadersOf } from './loaders.js';

builder.node(EnvironmentRef, {
  description: 'One of an app\'s two environments (production or test), each on its own cluster, with its draft deployment configuration.',
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'namespace' in v && 'kind' in v,
  authScopes: ownedByApp((e: EnvironmentRow, ctx) => appIdOfEnvironmentRow(ctx, e)),
  id: { resolve: (e) => e.id },
  loadMany: async (ids, ctx) => byRequestedIds(ids, await ctx.repos.apps.environmentsByIds(ids.map(Number))),
  fields: (t) => ({
    kind: t.field({ type: EnvironmentKindEnum, description: 'PRODUCTION or TEST.', resolve: (e) => e.kind }),
    clusterName: t.exposeString('cluster', { description: 'The name of the cluster this environment runs on (see the clusters query).' }),
    cluster: t.field({
      type: ClusterRef,
      nullable: true,
      description: 'The cluster this environment runs on, with its reachability; null when the kubeconfig no longer names it.',
      resolve: (e, _args, ctx) => ctx.clusters.get(e.cluster) ?? null,
    }),
    namespace: t.exposeString('namespace', {
      description: 'The Kubernetes namespace of the environment on its cluster: `cairn-<app name>`.',
    }),
    app: t.field({
      type: AppRef,
      description: 'The app this environment belongs to.',
      resolve: async (e, _args, ctx) => (await loadersOf(ctx).app.load(e.appId))!,
    }),
    config: t.field({
      type: DeploymentConfigRef,
      description: 'The draft deployment configuration: what the next release order will deploy.',
      resolve: async (e, _args, ctx) => (await loadersOf(ctx).configOfEnvironment.load(e.id))!,
    }),
    desiredInstances: t.int({
      description: 'The instance count the draft configuration asks for (what the next release will run).',
      resolve: async (e, _args, ctx) => (await loadersOf(ctx).configOfEnvironment.load(e.id))?.settings.instances ?? 0,
    }),
    deployedRevision: t.field({
      type: RevisionRef,
      nullable: true,
      description: 'The revision running in the environment after the last finished release order (completed, or rolled back to its previous revision); null until a release has completed.',
      resolve: (e, _args, ctx) => deployedRevisionLoaded(ctx, e.id),
    }),
    createdAt: t.field({ type: 'DateTime', description: 'When the environment was created (with its app).', resolve: (e) => e.createdAt }),
  }),
});
