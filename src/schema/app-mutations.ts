import { encodeGlobalID } from '@pothos/plugin-relay';
import { createAppProblems, updateAppProblems } from '../domain/app-rules.js';
import { emptySettings } from '../domain/config-types.js';
import { AlreadyExistsError, InvalidInputError, NotAllowedError, NotFoundError } from '../domain/errors.js';
import { namespaceFor } from '../domain/names.js';
import { OFFICIAL_IMAGES, presetSettings } from '../domain/official-images.js';
import { sortProblems } from '../domain/problems.js';
import { countRunningInstances } from '../kube/running-instances.js';
import { uniqueOr } from '../db/errors.js';
import type { AppRow } from '../db/tables.js';
import { ADMIN_ONLY, appRule, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';
import { AppTypeEnum, DeployMethodEnum, OfficialImageKindEnum } from './enums.js';
import { localId } from './ids.js';
import { AppRef } from './refs.js';

const CreateAppInput = builder.inputType('CreateAppInput', {
  description: 'A new app and where its two environments run.',
  fields: (t) => ({
    name: t.string({
      required: true,
      description: "A unique DNS-1123 label of at most 40 characters (lower-case letters, digits, '-') starting with a letter. It names Kubernetes objects and cannot change later.",
    }),
    businessType: t.string({ required: true, description: 'One of the businessTypes query.' }),
    description: t.string({ description: 'A free description (at most 1000 characters).' }),
    appType: t.field({ type: AppTypeEnum, defaultValue: 'STATELESS', description: 'STATELESS (default, a Deployment) or STATEFUL (a StatefulSet).' }),
    deployMethod: t.field({ type: DeployMethodEnum, defaultValue: 'CONTAINER', description: 'CONTAINER, the default and only method.' }),
    productionCluster: t.string({ required: true, description: 'The cluster of the production environment (see the clusters query).' }),
    testCluster: t.string({ required: true, description: 'The cluster of the test environment; must differ from productionCluster.' }),
    officialImage: t.field({
      type: OfficialImageKindEnum,
      description: 'Optionally start both environments\' draft configurations from this official image; otherwise they start empty (no image).',
    }),
  }),
});

const CreateAppPayload = builder.objectRef<{ app: AppRow }>('CreateAppPayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The created app, with its production and test environments.',
  fields: (t) => ({ app: t.field({ type: AppRef, description: 'The new app.', resolve: (p) => p.app }) }),
});

const UpdateAppInput = builder.inputType('UpdateAppInput', {
  description: 'Changes to an app\'s own fields; omitted fields stay. The name and app type cannot change (they name Kubernetes objects); create a new app instead.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The app\'s global ID.' }),
    businessType: t.string({ description: 'A new business type (one of the businessTypes query).' }),
    description: t.string({ description: 'A new description (at most 1000 characters).' }),
  }),
});

const UpdateAppPayload = builder.objectRef<{ app: AppRow }>('UpdateAppPayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The updated app.',
  fields: (t) => ({ app: t.field({ type: AppRef, description: 'The app after the change.', resolve: (p) => p.app }) }),
});

const DeleteAppInput = builder.inputType('DeleteAppInput', {
  description: 'The app to delete, with its environments and their draft configurations.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The app\'s global ID.' }) }),
});

const DeleteAppPayload = builder.objectRef<{ deletedAppId: string }>('DeleteAppPayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The app was deleted.',
  fields: (t) => ({ deletedAppId: t.exposeID('deletedAppId', { description: 'The global ID the deleted app had.' }) }),
});

const errorUnion = (name: string, description: string) => ({ union: { name, description } });

builder.mutationFields((t) => ({
  createApp: t.field({
    type: CreateAppPayload,
    description: 'Creates an app with its PRODUCTION and TEST environments (on two different clusters) and their draft configurations, all at once. Admins only.',
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: CreateAppInput, required: true, description: 'The new app.' }) },
    errors: { types: [InvalidInputError, AlreadyExistsError], ...errorUnion('CreateAppResult', 'The created app, or why it was refused.') },
    resolve: (_root, { input }, ctx) => {
      const problems = createAppProblems(input, { businessTypes: ctx.config.businessTypes, clusterExists: (n) => ctx.clusters.get(n) !== undefined });
      if (problems.length) throw new InvalidInputError(sortProblems(problems));
      const settings = input.officialImage ? presetSettings(input.officialImage) : emptySettings();
      const imageTag = input.officialImage ? OFFICIAL_IMAGES[input.officialImage].defaultTag : null;
      const namespace = namespaceFor(input.name);
      const taken = () => new AlreadyExistsError('App', input.name, ['input', 'name']);
      const app = ctx.repos.transaction(() => {
        if (ctx.repos.apps.byName(input.name)) throw taken();
        return uniqueOr(taken, () => ctx.repos.apps.create(
          {
            name: input.name,
            businessType: input.businessType,
            description: input.description ?? '',
            appType: input.appType ?? 'STATELESS',
            deployMethod: input.deployMethod ?? 'CONTAINER',
            environments: [
              { kind: 'PRODUCTION', cluster: input.productionCluster, namespace, imageTag, settings },
              { kind: 'TEST', cluster: input.testCluster, namespace, imageTag, settings },
            ],
          },
          ctx.now(),
        ));
      });
      ctx.logger.info({ appId: app.id, app: app.name }, 'app created');
      return { app };
    },
  }),
  updateApp: t.field({
    type: UpdateAppPayload,
    description: 'Changes an app\'s business type or description. The name is immutable. Needs the OWNER role on the app.',
    authScopes: appRule('OWNER', idIn((a: { input: { id: string } }) => a.input.id, 'App')),
    args: { input: t.arg({ type: UpdateAppInput, required: true, description: 'The changes.' }) },
    errors: { types: [InvalidInputError, NotFoundError], ...errorUnion('UpdateAppResult', 'The updated app, or why it was refused.') },
    resolve: (_root, { input }, ctx) => {
      const id = localId(String(input.id), 'App', ['input', 'id']);
      const problems = updateAppProblems(input, { businessTypes: ctx.config.businessTypes, clusterExists: () => true });
      if (problems.length) throw new InvalidInputError(sortProblems(problems));
      const app = ctx.repos.transaction(() => {
        const changes: { businessType?: string; description?: string } = {};
        if (input.businessType != null) changes.businessType = input.businessType;
        if (input.description != null) changes.description = input.description;
        const updated = ctx.repos.apps.update(id, changes, ctx.now());
        if (!updated) throw new NotFoundError('App', String(input.id), ['input', 'id']);
        return updated;
      });
      ctx.logger.info({ appId: app.id }, 'app updated');
      return { app };
    },
  }),
  deleteApp: t.field({
    type: DeleteAppPayload,
    description:
      'Deletes an app with its environments and draft configurations. Refused while it has an active release order or running instances on either cluster. Admins only (as creating one).',
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: DeleteAppInput, required: true, description: 'The app to delete.' }) },
    errors: { types: [NotFoundError, NotAllowedError], ...errorUnion('DeleteAppResult', 'The deleted app\'s ID, or why it was refused.') },
    resolve: async (_root, { input }, ctx) => {
      const path = ['input', 'id'];
      const id = localId(String(input.id), 'App', path);
      const app = ctx.repos.apps.byIds([id])[0];
      if (!app) throw new NotFoundError('App', String(input.id), path);
      const order = ctx.repos.apps.activeReleaseOrderOf(id);
      if (order) {
        throw new NotAllowedError(`The app "${app.name}" has an active release order; close it (or let it finish) first, then delete the app.`);
      }
      for (const env of ctx.repos.apps.environmentsOfApps([id])) {
        const count = await countRunningInstances(ctx.clusters, env.cluster, env.namespace, app.name);
        if (!count.ok) {
          throw new NotAllowedError(
            `Cannot tell whether the ${env.kind} environment still runs instances: the cluster "${env.cluster}" did not answer (${count.error}). Retry when it is reachable.`,
          );
        }
        if (count.running > 0) {
          throw new NotAllowedError(
            `The ${env.kind} environment still runs ${count.running} instance(s) of "${app.name}" in namespace ${env.namespace} on cluster ${env.cluster}; scale it to zero or remove its workloads first, then delete the app.`,
          );
        }
      }
      ctx.repos.transaction(() => {
        if (ctx.repos.apps.activeReleaseOrderOf(id)) throw new NotAllowedError(`The app "${app.name}" just got a release order; close it first.`);
        if (!ctx.repos.apps.delete(id)) throw new NotFoundError('App', String(input.id), path);
      });
      ctx.logger.info({ appId: id, app: app.name }, 'app deleted');
      return { deletedAppId: encodeGlobalID('App', id) };
    },
  }),
}));
