import { encodeGlobalID } from '@pothos/plugin-relay';
import type { AppRow } from '../db/tables.js';
import { AlreadyExistsError, InvalidInputError, NotAllowedError, NotFoundError } from '../domain/errors.js';
import { countRunningInstances } from '../kube/running-instances.js';
import { createApp, deleteApp, updateApp } from '../usecases/apps.js';
import { ADMIN_ONLY, appRule, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { AppTypeEnum, DeployMethodEnum, OfficialImageKindEnum } from './enums.js';
import { idRef } from './ids.js';
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
    description: 'Creates an app with its PRODUCTION and TEST environments (on two different clusters) and their draft configurations, all at once. ' + ACCESS.admins,
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: CreateAppInput, required: true, description: 'The new app.' }) },
    errors: { types: [InvalidInputError, AlreadyExistsError], ...errorUnion('CreateAppResult', 'The created app, or why it was refused.') },
    resolve: async (_root, { input }, ctx) => ({ app: await createApp(ctx, input) }),
  }),
  updateApp: t.field({
    type: UpdateAppPayload,
    description: 'Changes an app\'s business type or description. The name is immutable. ' + ACCESS.owner,
    authScopes: appRule('OWNER', idIn((a: { input: { id: string } }) => a.input.id, 'App')),
    args: { input: t.arg({ type: UpdateAppInput, required: true, description: 'The changes.' }) },
    errors: { types: [InvalidInputError, NotFoundError], ...errorUnion('UpdateAppResult', 'The updated app, or why it was refused.') },
    resolve: async (_root, { input }, ctx) => ({ app: await updateApp(ctx, idRef(input.id, 'App'), input) }),
  }),
  deleteApp: t.field({
    type: DeleteAppPayload,
    description: 'Deletes an app with its environments and draft configurations. Refused while it has an active release order or running instances on either cluster. ' + ACCESS.admins,
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: DeleteAppInput, required: true, description: 'The app to delete.' }) },
    errors: { types: [NotFoundError, NotAllowedError], ...errorUnion('DeleteAppResult', 'The deleted app\'s ID, or why it was refused.') },
    resolve: async (_root, { input }, ctx) => {
      const countRunning = (cluster: string, namespace: string, app: string) => countRunningInstances(ctx.clusters, cluster, namespace, app);
      const app = await deleteApp({ repos: ctx.repos, logger: ctx.logger, countRunning }, idRef(input.id, 'App'));
      return { deletedAppId: encodeGlobalID('App', app.id) };
    },
  }),
}));
