import { ActiveReleaseOrderError, InvalidReleaseConfigError, NoChangesError } from '../engine/errors.js';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';
import { ErrorInterface, InputProblemRef } from './errors.js';
import { ReleaseOrderRef, RevisionRef } from './release-refs.js';

builder.objectType(ActiveReleaseOrderError, {
  name: 'ActiveReleaseOrderError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The environment already has an active release order (one at a time); nothing was changed. Finish, close or roll back that order first.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ActiveReleaseOrderError,
  fields: (t) => ({
    activeOrder: t.field({
      type: ReleaseOrderRef,
      nullable: true,
      description: 'The order in progress on the environment.',
      resolve: async (e, _args, ctx) => (await ctx.repos.releases.order(e.activeOrderId)) ?? null,
    }),
  }),
});

builder.objectType(InvalidReleaseConfigError, {
  name: 'InvalidReleaseConfigError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The draft configuration (or the chosen revision) cannot be released; nothing was changed. Fix the configuration and submit again.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof InvalidReleaseConfigError,
  fields: (t) => ({
    problems: t.field({ type: [InputProblemRef], description: 'Every problem, with its path within the configuration (e.g. ["imageTag"]).', resolve: (e) => e.problems }),
  }),
});

builder.objectType(NoChangesError, {
  name: 'NoChangesError',
  authScopes: REACHED_THROUGH_PARENT,
  description:
    'The draft is what the environment already runs (same image, tag and settings, as previewRelease shows with no changes): releasing it would only replace every instance. Nothing was changed. Change the configuration, or submit again with `restart: true` to replace the instances on purpose.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NoChangesError,
  fields: (t) => ({
    deployedRevision: t.field({
      type: RevisionRef,
      nullable: true,
      description: 'The revision the environment runs, which the draft equals.',
      resolve: async (e, _args, ctx) => (await ctx.repos.releases.revision(e.environmentId, e.deployedRevision)) ?? null,
    }),
  }),
});

export { ActiveReleaseOrderError, InvalidReleaseConfigError, NoChangesError };
