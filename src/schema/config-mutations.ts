import type { Warning } from '../domain/config-rules.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.js';
import type { DeploymentConfigRow } from '../db/tables.js';
import { setImageTag, setInstanceCount, updateDeploymentConfig } from '../usecases/configs.js';
import { appRule, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { DeploymentConfigInput } from './config-input.js';
import { idRef } from './ids.js';
import { DeploymentConfigRef } from './refs.js';
import { ConfigWarningRef } from './warning.js';

const UpdateDeploymentConfigInput = builder.inputType('UpdateDeploymentConfigInput', {
  description: 'A whole new draft configuration for an environment, based on the version you read.',
  fields: (t) => ({
    environment: t.id({ required: true, description: 'The environment\'s global ID.' }),
    version: t.int({ required: true, description: 'The `version` of the configuration you read; a stale one is refused with ConflictError.' }),
    config: t.field({ type: DeploymentConfigInput, required: true, description: 'The new configuration (it replaces the draft).' }),
  }),
});

const ConfigPayloadShape = builder.objectRef<{ config: DeploymentConfigRow; warnings: Warning[] }>('UpdateDeploymentConfigPayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The saved draft configuration, with warnings about settings that were accepted but look wrong.',
  fields: (t) => ({
    config: t.field({ type: DeploymentConfigRef, description: 'The draft configuration after the change.', resolve: (p) => p.config }),
    warnings: t.field({ type: [ConfigWarningRef], description: 'Accepted settings that deserve a second look (e.g. a single instance).', resolve: (p) => p.warnings }),
  }),
});

const SetImageTagInput = builder.inputType('SetImageTagInput', {
  description: 'A new image tag for an environment\'s draft; every other setting stays.',
  fields: (t) => ({
    environment: t.id({ required: true, description: 'The environment\'s global ID.' }),
    imageTag: t.string({ required: true, description: 'The new tag, e.g. 1.4.2.' }),
    version: t.int({ description: 'Optionally, the `version` you read; when given and stale, the change is refused with ConflictError.' }),
  }),
});

const SetImageTagPayload = builder.objectRef<{ config: DeploymentConfigRow }>('SetImageTagPayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The draft configuration with its new tag.',
  fields: (t) => ({ config: t.field({ type: DeploymentConfigRef, description: 'The draft configuration after the change.', resolve: (p) => p.config }) }),
});

const SetInstanceCountInput = builder.inputType('SetInstanceCountInput', {
  description: 'A new instance count for an environment\'s draft; every other setting stays.',
  fields: (t) => ({
    environment: t.id({ required: true, description: 'The environment\'s global ID.' }),
    instances: t.int({ required: true, description: 'Instances to run: at least 1 (a warning below 2), at most the configured maximum.' }),
    version: t.int({ description: 'Optionally, the `version` you read; when given and stale, the change is refused with ConflictError.' }),
  }),
});

const SetInstanceCountPayload = builder.objectRef<{ config: DeploymentConfigRow; warnings: Warning[] }>('SetInstanceCountPayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The draft configuration with its new instance count.',
  fields: (t) => ({
    config: t.field({ type: DeploymentConfigRef, description: 'The draft configuration after the change.', resolve: (p) => p.config }),
    warnings: t.field({ type: [ConfigWarningRef], description: 'A warning when fewer than 2 instances are asked for.', resolve: (p) => p.warnings }),
  }),
});

builder.mutationFields((t) => ({
  setInstanceCount: t.field({
    type: SetInstanceCountPayload,
    description: 'Changes only the instance count of an environment\'s draft configuration (what the next release will run); nothing running changes. ' + ACCESS.owner,
    authScopes: appRule('OWNER', idIn((a: { input: { environment: string } }) => a.input.environment, 'Environment')),
    args: { input: t.arg({ type: SetInstanceCountInput, required: true, description: 'The environment and its new instance count.' }) },
    errors: {
      types: [InvalidInputError, NotFoundError, ConflictError],
      union: { name: 'SetInstanceCountResult', description: 'The configuration with its new instance count, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) => setInstanceCount(ctx, idRef(input.environment, 'Environment'), input),
  }),
  updateDeploymentConfig: t.field({
    type: ConfigPayloadShape,
    description: 'Replaces an environment\'s draft deployment configuration (what the next release deploys; nothing running changes). Every problem of the input is reported at once. A directory mount\'s host path must be one of the app\'s own directories `<prefix>/<app name>` under the server\'s allowed prefixes (CAIRN_HOSTPATH_PREFIXES), or a mount the draft already holds, unless the caller is an admin. ' + ACCESS.owner,
    authScopes: appRule('OWNER', idIn((a: { input: { environment: string } }) => a.input.environment, 'Environment')),
    args: { input: t.arg({ type: UpdateDeploymentConfigInput, required: true, description: 'The environment, the version you read and the new configuration.' }) },
    errors: {
      types: [InvalidInputError, NotFoundError, ConflictError],
      union: { name: 'UpdateDeploymentConfigResult', description: 'The saved configuration, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) => updateDeploymentConfig(ctx, idRef(input.environment, 'Environment'), input),
  }),
  setImageTag: t.field({
    type: SetImageTagPayload,
    description: 'Changes only the image tag of an environment\'s draft configuration; everything else stays as it is. ' + ACCESS.owner,
    authScopes: appRule('OWNER', idIn((a: { input: { environment: string } }) => a.input.environment, 'Environment')),
    args: { input: t.arg({ type: SetImageTagInput, required: true, description: 'The environment and its new tag.' }) },
    errors: {
      types: [InvalidInputError, NotFoundError, ConflictError],
      union: { name: 'SetImageTagResult', description: 'The configuration with its new tag, or why it was refused.' },
    },
    resolve: async (_root, { input }, ctx) => ({ config: await setImageTag(ctx, idRef(input.environment, 'Environment'), input) }),
  }),
}));
