import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Warning } from '../domain/config-rules.js';
import { AlreadyExistsError, ConflictError, InvalidInputError, NotAllowedError, NotFoundError } from '../domain/errors.js';
import type { DeploymentConfigRow, TemplateRow } from '../db/tables.js';
import { applyTemplate, deleteTemplate, renameTemplate, saveTemplate } from '../usecases/templates.js';
import { ADMIN_ONLY, appRule, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { idRef } from './ids.js';
import { DeploymentConfigRef, TemplateRef } from './refs.js';
import { ConfigWarningRef } from './warning.js';

const TemplatePayload = (name: string, description: string) =>
  builder.objectRef<{ template: TemplateRow }>(name).implement({
    authScopes: REACHED_THROUGH_PARENT,
    description,
    fields: (t) => ({ template: t.field({ type: TemplateRef, description: 'The template after the change.', resolve: (p) => p.template }) }),
  });

const SaveTemplatePayload = TemplatePayload('SaveTemplatePayload', 'The saved template.');
const RenameTemplatePayload = TemplatePayload('RenameTemplatePayload', 'The renamed template.');

const ApplyTemplatePayload = builder.objectRef<{ config: DeploymentConfigRow; warnings: Warning[] }>('ApplyTemplatePayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The environment\'s draft configuration after loading the template.',
  fields: (t) => ({
    config: t.field({ type: DeploymentConfigRef, description: 'The draft configuration: the template\'s settings with the environment\'s own tag.', resolve: (p) => p.config }),
    warnings: t.field({ type: [ConfigWarningRef], description: 'Loaded settings that deserve a second look.', resolve: (p) => p.warnings }),
  }),
});

const DeleteTemplatePayload = builder.objectRef<{ deletedTemplateId: string }>('DeleteTemplatePayload').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The template was deleted.',
  fields: (t) => ({ deletedTemplateId: t.exposeID('deletedTemplateId', { description: 'The global ID the deleted template had.' }) }),
});

const SaveTemplateInput = builder.inputType('SaveTemplateInput', {
  description: 'Saves an environment\'s draft configuration, without its tag, as a new template.',
  fields: (t) => ({
    environment: t.id({ required: true, description: 'The environment whose draft configuration to save.' }),
    name: t.string({ required: true, description: 'A unique name (1–100 characters; surrounding spaces are dropped).' }),
  }),
});

const ApplyTemplateInput = builder.inputType('ApplyTemplateInput', {
  description: 'Loads a template into an environment\'s draft configuration; the environment keeps its image tag.',
  fields: (t) => ({
    template: t.id({ required: true, description: 'The template\'s global ID.' }),
    environment: t.id({ required: true, description: 'The environment whose draft configuration to replace.' }),
    version: t.int({ description: 'Optionally, the `version` of the draft you read; when given and stale, the change is refused with ConflictError.' }),
  }),
});

const RenameTemplateInput = builder.inputType('RenameTemplateInput', {
  description: 'A new name for a template.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The template\'s global ID.' }),
    name: t.string({ required: true, description: 'The new unique name (1–100 characters).' }),
  }),
});

const DeleteTemplateInput = builder.inputType('DeleteTemplateInput', {
  description: 'The template to delete; configurations loaded from it stay as they are.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The template\'s global ID.' }) }),
});

builder.mutationFields((t) => ({
  saveTemplate: t.field({
    type: SaveTemplatePayload,
    description: 'Saves an environment\'s draft configuration, without its image tag, as a template (secret values are kept, never shown). The template belongs to the environment\'s app: admins and that app\'s OWNERs read and apply it. ' + ACCESS.admins,
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: SaveTemplateInput, required: true, description: 'The environment and the template\'s name.' }) },
    errors: { types: [InvalidInputError, NotFoundError, AlreadyExistsError], union: { name: 'SaveTemplateResult', description: 'The saved template, or why it was refused.' } },
    resolve: async (_root, { input }, ctx) => ({ template: await saveTemplate(ctx, idRef(input.environment, 'Environment'), input.name) }),
  }),
  applyTemplate: t.field({
    type: ApplyTemplatePayload,
    description: 'Replaces an environment\'s draft configuration with a template\'s settings, keeping the environment\'s image tag; bumps the version. The caller must also be able to read the template: admins, and OWNERs of the app it was saved from (for others it is a NotFoundError, as an ID that names nothing). A template holding secret values (saved from an environment with secret variables) may be applied by admins only: its secrets belong to the app it was saved from (NotAllowedError). A template that breaks a configuration rule (saved before the rule existed), or whose directory mounts use host paths outside the app\'s allowed directories (for a caller who is not an admin), is refused with InvalidInputError, paths under `input.template`. ' + ACCESS.owner,
    authScopes: appRule('OWNER', idIn((a: { input: { environment: string } }) => a.input.environment, 'Environment')),
    args: { input: t.arg({ type: ApplyTemplateInput, required: true, description: 'The template and the environment.' }) },
    errors: {
      types: [NotFoundError, ConflictError, NotAllowedError, InvalidInputError],
      union: { name: 'ApplyTemplateResult', description: 'The new draft configuration, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) => applyTemplate(ctx, idRef(input.template, 'Template'), idRef(input.environment, 'Environment'), input.version),
  }),
  renameTemplate: t.field({
    type: RenameTemplatePayload,
    description: 'Renames a template. ' + ACCESS.admins,
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: RenameTemplateInput, required: true, description: 'The template and its new name.' }) },
    errors: { types: [InvalidInputError, NotFoundError, AlreadyExistsError], union: { name: 'RenameTemplateResult', description: 'The renamed template, or why it was refused.' } },
    resolve: async (_root, { input }, ctx) => ({ template: await renameTemplate(ctx, idRef(input.id, 'Template'), input.name) }),
  }),
  deleteTemplate: t.field({
    type: DeleteTemplatePayload,
    description: 'Deletes a template. Configurations that were loaded from it do not change. ' + ACCESS.admins,
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: DeleteTemplateInput, required: true, description: 'The template to delete.' }) },
    errors: { types: [NotFoundError], union: { name: 'DeleteTemplateResult', description: 'The deleted template\'s ID, or why it was refused.' } },
    resolve: async (_root, { input }, ctx) => {
      const deleted = await deleteTemplate(ctx, idRef(input.id, 'Template'));
      return { deletedTemplateId: encodeGlobalID('Template', deleted.id) };
    },
  }),
}));
