import type { DeploymentConfigRow } from '../db/tables.js';
import { appIdOfEnvironment } from './auth-app-ids.js';
import { ownedByApp } from './auth-rules.js';
import { builder } from './builder.js';
import { loadersOf } from './loaders.js';
import { byRequestedIds } from './node-order.js';
import { DeploymentSettingsInterface } from './deployment-settings.js';
import { DeploymentConfigRef, EnvironmentRef } from './refs.js';

builder.node(DeploymentConfigRef, {
  description:
    'The draft deployment configuration of an environment: what its next release order will deploy. Editing it never changes what runs.',
  interfaces: [DeploymentSettingsInterface],
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'environmentId' in v && 'settings' in v,
  authScopes: ownedByApp((c: DeploymentConfigRow, ctx) => appIdOfEnvironment(ctx, c.environmentId)),
  id: { resolve: (c) => c.id },
  loadMany: async (ids, ctx) => byRequestedIds(ids, await ctx.repos.configs.byIds(ids.map(Number))),
  fields: (t) => ({
    version: t.exposeInt('version', {
      description:
        'Bumped by every change (a write that changes nothing keeps it); send it back with updateDeploymentConfig so that a concurrent change is refused rather than lost.',
    }),
    imageTag: t.exposeString('imageTag', {
      nullable: true,
      description: 'The image tag the next release deploys (change it alone with setImageTag); null until set.',
    }),
    environment: t.field({
      type: EnvironmentRef,
      description: 'The environment this configuration belongs to.',
      resolve: async (c, _args, ctx) => (await loadersOf(ctx).environment.load(c.environmentId))!,
    }),
    updatedAt: t.field({ type: 'DateTime', description: 'When the configuration last changed.', resolve: (c) => c.updatedAt }),
  }),
});
