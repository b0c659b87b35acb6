import { ActiveReleaseOrderError, InvalidReleaseConfigError } from '../engine/errors.js';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';
import { ErrorInterface, InputProblemRef } from './errors.js';
import { ReleaseOrderRef } from './release-refs.js';

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
      resolve: (e, _args, ctx) => ctx.repos.releases.order(e.activeOrderId) ?? null,
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

export { ActiveReleaseOrderError, InvalidReleaseConfigError };
