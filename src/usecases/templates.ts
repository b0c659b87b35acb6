/**
 * Templates: saving an environment's draft as one, loading one into a draft, renaming and deleting
 * one. Who reads a template is the rule of src/auth/template-access.ts: one the caller may not read
 * is a NotFoundError, as for an ID that names nothing. Each runs in one transaction.
 */
import { mayReadTemplate } from '../auth/template-access.js';
import { uniqueOr } from '../db/errors.js';
import type { TemplateRow } from '../db/tables.js';
import { templateNameProblems } from '../domain/app-rules.js';
import { configWarnings } from '../domain/config-rules.js';
import { storedConfigProblems } from '../domain/config-validation.js';
import { AlreadyExistsError, InvalidInputError, NotAllowedError } from '../domain/errors.js';
import { hostPathProblems } from '../domain/host-paths.js';
import { draftOf, hostPathRule, writeDraft, type ConfigsDeps, type DraftChange } from './configs.js';
import type { Acting, Basics, ReposOf } from './deps.js';
import { lookUp, type IdRef } from './refs.js';

export interface TemplatesDeps extends Basics, Acting {
  repos: ReposOf<'templates' | 'configs' | 'apps'>;
}

/** The template `ref` names, when the caller may read it; else NotFoundError at `path`, as for an ID that names nothing. */
function templateOf(deps: TemplatesDeps, ref: IdRef, path: string[]): Promise<TemplateRow> {
  return lookUp(ref, 'Template', path, async (id) => {
    const row = (await deps.repos.templates.byIds([id]))[0];
    return row && mayReadTemplate(deps.viewer, row) ? row : undefined;
  });
}

/** A valid, trimmed template name that no other template (but `self`) has. */
async function freeName(deps: TemplatesDeps, name: string, path: string[], self?: number): Promise<string> {
  const problems = templateNameProblems(name, path);
  if (problems.length) throw new InvalidInputError(problems);
  const trimmed = name.trim();
  const other = await deps.repos.templates.byName(trimmed);
  if (other && other.id !== self) throw new AlreadyExistsError('Template', trimmed, path);
  return trimmed;
}

/**
 * Saves the environment's draft, without its image tag, as a template named `name` (trimmed,
 * unique), belonging to the environment's app. A draft that breaks a rule (stored before the rule
 * existed) is refused with its problems under `input.environment`. Admins only (the caller checks).
 */
export async function saveTemplate(deps: TemplatesDeps, environment: IdRef, name: string): Promise<TemplateRow> {
  const template = await deps.repos.transaction(async () => {
    const free = await freeName(deps, name, ['input', 'name']);
    const draft = await draftOf(deps.repos, environment, ['input', 'environment']);
    // A draft stored before a rule existed may break it: a template must not carry it further.
    const problems = storedConfigProblems(draft.settings, ['input', 'environment']);
    if (problems.length) throw new InvalidInputError(problems);
    const appId = (await deps.repos.apps.environmentsByIds([draft.environmentId]))[0]?.appId ?? null;
    return uniqueOr(
      () => new AlreadyExistsError('Template', free, ['input', 'name']),
      () => deps.repos.templates.create(free, draft.settings, appId, deps.now()),
    );
  });
  deps.logger.info({ templateId: template.id }, 'template saved');
  return template;
}

/**
 * Loads the template's settings into the environment's draft, which keeps its image tag; `version`,
 * when given, must be the draft's. Refused: a template the caller may not read (NotFoundError); one
 * holding secret values, for a caller who is not an admin (its secrets belong to the app it was saved
 * from: NotAllowedError); one that breaks a rule or, for a caller who is not an admin, mounts host
 * directories outside the app's own (InvalidInputError, paths under `input.template`).
 */
export function applyTemplate(deps: ConfigsDeps & TemplatesDeps, template: IdRef, environment: IdRef, version?: number | null): Promise<DraftChange> {
  return deps.repos.transaction(async () => {
    const row = await templateOf(deps, template, ['input', 'template']);
    // Its secret values came from another app's environment: only an admin may copy them into this one.
    if (!deps.viewer?.admin && row.settings.env.some((e) => e.secret && e.value !== '')) {
      throw new NotAllowedError(`The template "${row.name}" holds secret values, which only an admin may copy into another environment; ask an admin, or set the variables yourself.`);
    }
    const draft = await draftOf(deps.repos, environment, ['input', 'environment']);
    // Paths under input.template name the template's own fields: it may predate a rule, and
    // its host paths are checked against the environment's app like any written configuration.
    const rule = await hostPathRule(deps, draft);
    const problems = [
      ...storedConfigProblems(row.settings, ['input', 'template']),
      ...(rule ? hostPathProblems(row.settings.directoryMounts, rule.prefixes, rule.appName, ['input', 'template']) : []),
    ];
    if (problems.length) throw new InvalidInputError(problems);
    const config = await writeDraft(deps, draft, version, { imageTag: draft.imageTag, settings: row.settings });
    return { config, warnings: configWarnings(row.settings, []) };
  });
}

/** Renames a template (the name trimmed, unique). Admins only (the caller checks). */
export function renameTemplate(deps: TemplatesDeps, template: IdRef, name: string): Promise<TemplateRow> {
  return deps.repos.transaction(async () => {
    const existing = await templateOf(deps, template, ['input', 'id']);
    const free = await freeName(deps, name, ['input', 'name'], existing.id);
    if (free === existing.name) return existing;
    return uniqueOr(
      () => new AlreadyExistsError('Template', free, ['input', 'name']),
      async () => (await deps.repos.templates.rename(existing.id, free, deps.now()))!,
    );
  });
}

/** Deletes a template; configurations loaded from it stay as they are. Returns the deleted row. Admins only (the caller checks). */
export function deleteTemplate(deps: TemplatesDeps, template: IdRef): Promise<TemplateRow> {
  return deps.repos.transaction(async () => {
    const existing = await templateOf(deps, template, ['input', 'id']);
    await deps.repos.templates.delete(existing.id);
    return existing;
  });
}
