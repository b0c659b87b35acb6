import { encodeGlobalID } from '@pothos/plugin-relay';
import { templateNameProblems } from '../domain/app-rules.js';
import type { Warning } from '../domain/config-rules.js';
import { configWarnings } from '../domain/config-rules.js';
import { AlreadyExistsError, ConflictError, InvalidInputError, NotAllowedError, NotFoundError } from '../domain/errors.js';
import { uniqueOr } from '../db/errors.js';
import type { DeploymentConfigRow, TemplateRow } from '../db/tables.js';
import { appIdOfEnvironment } from './auth-app-ids.js';
import { ADMIN_ONLY, appRule, idIn, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { draftOf, hostPathRule, writeDraft } from './config-mutations.js';
import { storedConfigProblems } from '../domain/config-validation.js';
import { hostPathProblems } from '../domain/host-paths.js';
import { localId } from './ids.js';
import { DeploymentConfigRef, TemplateRef } from './refs.js';
import { mayReadTemplate } from './template-access.js';
import { ConfigWarningRef } from './warning.js';

/** The template an ID names, when the caller may read it (template-access.ts); else NotFoundError, as for an ID that names nothing. */
function templateOf(ctx: Context, globalId: string, path: string[]): TemplateRow {
  const row = ctx.repos.templates.byIds([localId(globalId, 'Template', path)])[0];
  if (!row || !mayReadTemplate(ctx.viewer, row)) throw new NotFoundError('Template', globalId, path);
  return row;
}

/** A valid, trimmed template name that no other template has. */
function freeName(ctx: Context, name: string, path: string[], self?: number): string {
  const problems = templateNameProblems(name, path);
  if (problems.length) throw new InvalidInputError(problems);
  const trimmed = name.trim();
  const other = ctx.repos.templates.byName(trimmed);
  if (other && other.id !== self) throw new AlreadyExistsError('Template', trimmed, path);
  return trimmed;
}

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
    environmentId: t.id({ required: true, description: 'The environment whose draft configuration to save.' }),
    name: t.string({ required: true, description: 'A unique name (1–100 characters; surrounding spaces are dropped).' }),
  }),
});

const ApplyTemplateInput = builder.inputType('ApplyTemplateInput', {
  description: 'Loads a template into an environment\'s draft configuration; the environment keeps its image tag.',
  fields: (t) => ({
    templateId: t.id({ required: true, description: 'The template\'s global ID.' }),
    environmentId: t.id({ required: true, description: 'The environment whose draft configuration to replace.' }),
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
    description:
      'Saves an environment\'s draft configuration, without its image tag, as a template (secret values are kept, never shown). The template belongs to the environment\'s app: admins and that app\'s OWNERs read and apply it. Admins only.',
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: SaveTemplateInput, required: true, description: 'The environment and the template\'s name.' }) },
    errors: { types: [InvalidInputError, NotFoundError, AlreadyExistsError], union: { name: 'SaveTemplateResult', description: 'The saved template, or why it was refused.' } },
    resolve: (_root, { input }, ctx) =>
      ctx.repos.transaction(() => {
        const name = freeName(ctx, input.name, ['input', 'name']);
        const draft = draftOf(ctx, String(input.environmentId), ['input', 'environmentId']);
        // A draft stored before a rule existed may break it: a template must not carry it further.
        const problems = storedConfigProblems(draft.settings, ['input', 'environmentId']);
        if (problems.length) throw new InvalidInputError(problems);
        const template = uniqueOr(() => new AlreadyExistsError('Template', name, ['input', 'name']), () => ctx.repos.templates.create(name, draft.settings, appIdOfEnvironment(ctx, draft.environmentId), ctx.now()));
        ctx.logger.info({ templateId: template.id }, 'template saved');
        return { template };
      }),
  }),
  applyTemplate: t.field({
    type: ApplyTemplatePayload,
    description:
      'Replaces an environment\'s draft configuration with a template\'s settings, keeping the environment\'s image tag; bumps the version. Needs the OWNER role on the environment\'s app (it changes the app\'s configuration, not the template), and to read the template: admins, and OWNERs of the app it was saved from (for others it is a NotFoundError, as an ID that names nothing). A template holding secret values (saved from an environment with secret variables) may be applied by admins only: its secrets belong to the app it was saved from (NotAllowedError). A template that breaks a configuration rule (saved before the rule existed), or whose directory mounts use host paths outside the app\'s allowed directories (for a caller who is not an admin), is refused with InvalidInputError, paths under `input.templateId`.',
    authScopes: appRule('OWNER', idIn((a: { input: { environmentId: string } }) => a.input.environmentId, 'Environment')),
    args: { input: t.arg({ type: ApplyTemplateInput, required: true, description: 'The template and the environment.' }) },
    errors: {
      types: [NotFoundError, ConflictError, NotAllowedError, InvalidInputError],
      union: { name: 'ApplyTemplateResult', description: 'The new draft configuration, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) =>
      ctx.repos.transaction(() => {
        const template = templateOf(ctx, String(input.templateId), ['input', 'templateId']);
        // Its secret values came from another app's environment: only an admin may copy them into this one.
        if (!ctx.viewer?.admin && template.settings.env.some((e) => e.secret && e.value !== '')) {
          throw new NotAllowedError(`The template "${template.name}" holds secret values, which only an admin may copy into another environment; ask an admin, or set the variables yourself.`);
        }
        const draft = draftOf(ctx, String(input.environmentId), ['input', 'environmentId']);
        // Paths under input.templateId name the template's own fields: it may predate a rule, and
        // its host paths are checked against the environment's app like any written configuration.
        const rule = hostPathRule(ctx, draft);
        const problems = [
          ...storedConfigProblems(template.settings, ['input', 'templateId']),
          ...(rule ? hostPathProblems(template.settings.directoryMounts, rule.prefixes, rule.appName, ['input', 'templateId']) : []),
        ];
        if (problems.length) throw new InvalidInputError(problems);
        const config = writeDraft(ctx, draft, input.version, { imageTag: draft.imageTag, settings: template.settings });
        return { config, warnings: configWarnings(template.settings, []) };
      }),
  }),
  renameTemplate: t.field({
    type: RenameTemplatePayload,
    description: 'Renames a template. Admins only.',
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: RenameTemplateInput, required: true, description: 'The template and its new name.' }) },
    errors: { types: [InvalidInputError, NotFoundError, AlreadyExistsError], union: { name: 'RenameTemplateResult', description: 'The renamed template, or why it was refused.' } },
    resolve: (_root, { input }, ctx) =>
      ctx.repos.transaction(() => {
        const existing = templateOf(ctx, String(input.id), ['input', 'id']);
        const name = freeName(ctx, input.name, ['input', 'name'], existing.id);
        const template =
          name === existing.name
            ? existing
            : uniqueOr(() => new AlreadyExistsError('Template', name, ['input', 'name']), () => ctx.repos.templates.rename(existing.id, name, ctx.now())!);
        return { template };
      }),
  }),
  deleteTemplate: t.field({
    type: DeleteTemplatePayload,
    description: 'Deletes a template. Configurations that were loaded from it do not change. Admins only.',
    authScopes: ADMIN_ONLY,
    args: { input: t.arg({ type: DeleteTemplateInput, required: true, description: 'The template to delete.' }) },
    errors: { types: [NotFoundError], union: { name: 'DeleteTemplateResult', description: 'The deleted template\'s ID, or why it was refused.' } },
    resolve: (_root, { input }, ctx) =>
      ctx.repos.transaction(() => {
        const existing = templateOf(ctx, String(input.id), ['input', 'id']);
        ctx.repos.templates.delete(existing.id);
        return { deletedTemplateId: encodeGlobalID('Template', existing.id) };
      }),
  }),
}));
