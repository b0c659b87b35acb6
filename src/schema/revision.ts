import { DeploymentSettingsInterface } from './deployment-settings.js';
import type { RevisionRow } from '../db/release-tables.js';
import { appIdOfEnvironment } from './auth-app-ids.js';
import { ownedByApp } from './auth-rules.js';
import { builder } from './builder.js';
import { loadersOf } from './loaders.js';
import { byRequestedIds } from './node-order.js';
import { EnvironmentRef } from './refs.js';
import { RevisionRef } from './release-refs.js';

export { RevisionRef };

builder.node(RevisionRef, {
  description:
    'A frozen, immutable snapshot of an environment\'s deployment configuration (image, tag and every setting, file mounts and environment variables included) that a release order deploys. A rollback restores configuration and image together.',
  interfaces: [DeploymentSettingsInterface],
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'number' in v && 'imageTag' in v && 'createdBy' in v,
  authScopes: ownedByApp((r: RevisionRow, ctx) => appIdOfEnvironment(ctx, r.environmentId)),
  id: { resolve: (r) => r.id },
  loadMany: async (ids, ctx) => byRequestedIds(ids, await ctx.repos.releases.revisionsByIds(ids.map(Number))),
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'The revision number within its environment, from 1.' }),
    imageTag: t.exposeString('imageTag', { description: 'The image tag deployed.' }),
    imageReference: t.exposeString('image', { description: 'The full image reference deployed, with its tag (e.g. `nginx:1.25`).' }),
    environment: t.field({
      type: EnvironmentRef,
      description: 'The environment the revision belongs to.',
      resolve: async (r, _args, ctx) => (await loadersOf(ctx).environment.load(r.environmentId))!,
    }),
    createdBy: t.exposeString('createdBy', { description: 'Who submitted the release order that froze it.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the revision was frozen.', resolve: (r) => r.createdAt }),
  }),
});
