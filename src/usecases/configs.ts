/**
 * An environment's draft deployment configuration (what its next release deploys): replacing it,
 * or changing its image tag or instance count alone. Each runs in one transaction; a write is
 * guarded by the draft's version. Problem and error paths are those of the mutation's input.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config.js';
import type { DeploymentConfigRow } from '../db/tables.js';
import { imageTag as imageTagSchema, instancesSchema, type ConfigInput } from '../domain/config-input.js';
import { configWarnings, type Warning } from '../domain/config-rules.js';
import type { ConfigSettings } from '../domain/config-types.js';
import { validateConfig, type HostPathRule } from '../domain/config-validation.js';
import { ConflictError, InvalidInputError } from '../domain/errors.js';
import { OFFICIAL_IMAGES } from '../domain/official-images.js';
import { problemsFromZod } from '../domain/problems.js';
import type { Acting, Basics, ReposOf } from './deps.js';
import { lookUp, type IdRef } from './refs.js';

export interface ConfigsDeps extends Basics, Acting {
  repos: ReposOf<'apps' | 'configs'>;
  config: Pick<Config, 'maxInstances' | 'hostPathPrefixes'>;
}

/** A draft after a change, with the warnings its settings deserve. */
export interface DraftChange {
  config: DeploymentConfigRow;
  warnings: Warning[];
}

/** The draft configuration of the environment `environment` names; NotFoundError (an Environment) at `path`. */
export function draftOf(repos: ReposOf<'configs'>, environment: IdRef, path: string[]): Promise<DeploymentConfigRow> {
  return lookUp(environment, 'Environment', path, (id) => repos.configs.byEnvironmentId(id));
}

/**
 * The host directories the caller may mount in the draft's app: any for an admin (null), else the
 * app's own directories under CAIRN_HOSTPATH_PREFIXES.
 */
export async function hostPathRule(deps: Pick<ConfigsDeps, 'repos' | 'config' | 'viewer'>, row: DeploymentConfigRow): Promise<HostPathRule | null> {
  if (deps.viewer?.admin) return null;
  const env = (await deps.repos.apps.environmentsByIds([row.environmentId]))[0];
  const app = env ? (await deps.repos.apps.byIds([env.appId]))[0] : undefined;
  if (!app) throw new Error(`environment ${row.environmentId} has no app`);
  return { prefixes: deps.config.hostPathPrefixes, appName: app.name };
}

/**
 * The guarded write of a draft: refused when `expectedVersion` (if given) is stale; skipped when
 * nothing changes; otherwise `UPDATE … WHERE id = ? AND version = ?` and the version is bumped.
 * Call inside a transaction.
 */
export async function writeDraft(
  deps: Basics & { repos: ReposOf<'configs'> },
  row: DeploymentConfigRow,
  expectedVersion: number | null | undefined,
  next: { imageTag: string | null; settings: ConfigSettings },
): Promise<DeploymentConfigRow> {
  if (expectedVersion != null && expectedVersion !== row.version) throw new ConflictError(expectedVersion, row.version);
  if (row.imageTag === next.imageTag && isDeepStrictEqual(row.settings, next.settings)) return row;
  const updated = await deps.repos.configs.update(row.id, row.version, next, deps.now());
  if (!updated) throw new ConflictError(expectedVersion ?? row.version, (await deps.repos.configs.byIds([row.id]))[0]?.version ?? row.version);
  deps.logger.info({ environmentId: row.environmentId, version: updated.version }, 'deployment config changed');
  return updated;
}

const ENVIRONMENT_PATH = ['input', 'environment'];

/**
 * Changes only the draft's instance count (at least 1, at most the configured maximum); a warning
 * below 2. `version`, when given, must be the draft's.
 */
export function setInstanceCount(deps: ConfigsDeps, environment: IdRef, change: { instances: number; version?: number | null }): Promise<DraftChange> {
  return deps.repos.transaction(async () => {
    const row = await draftOf(deps.repos, environment, ENVIRONMENT_PATH);
    const parsed = instancesSchema(deps.config.maxInstances).safeParse(change.instances);
    if (!parsed.success) throw new InvalidInputError(problemsFromZod(parsed.error, ['input', 'instances']));
    const settings = { ...row.settings, instances: change.instances };
    return {
      config: await writeDraft(deps, row, change.version, { imageTag: row.imageTag, settings }),
      warnings: configWarnings(settings, []).filter((w) => w.code === 'FEW_INSTANCES'),
    };
  });
}

/**
 * Replaces the draft with `config` (every problem at once, paths under `input.config`), based on
 * `version`, which must be the draft's. A caller who is not an admin mounts only the app's own host
 * directories (or mounts the draft already holds). The tag stays when `config` has none (or takes
 * the official image's default when the draft has none either).
 */
export function updateDeploymentConfig(deps: ConfigsDeps, environment: IdRef, change: { version: number; config: ConfigInput }): Promise<DraftChange> {
  return deps.repos.transaction(async () => {
    const row = await draftOf(deps.repos, environment, ENVIRONMENT_PATH);
    if (change.version !== row.version) throw new ConflictError(change.version, row.version);
    const rule = await hostPathRule(deps, row);
    const { settings, warnings } = validateConfig(change.config, row.settings, deps.config.maxInstances, ['input', 'config'], rule);
    const imageTag = change.config.imageTag ?? row.imageTag ?? (settings.officialImage ? OFFICIAL_IMAGES[settings.officialImage].defaultTag : null);
    return { config: await writeDraft(deps, row, change.version, { imageTag, settings }), warnings };
  });
}

/** Changes only the draft's image tag. `version`, when given, must be the draft's. */
export function setImageTag(deps: ConfigsDeps, environment: IdRef, change: { imageTag: string; version?: number | null }): Promise<DeploymentConfigRow> {
  return deps.repos.transaction(async () => {
    const row = await draftOf(deps.repos, environment, ENVIRONMENT_PATH);
    const parsed = imageTagSchema.safeParse(change.imageTag);
    if (!parsed.success) throw new InvalidInputError(problemsFromZod(parsed.error, ['input', 'imageTag']));
    return writeDraft(deps, row, change.version, { imageTag: change.imageTag, settings: row.settings });
  });
}
