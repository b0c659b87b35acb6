import type { ConfigInput } from './config-input.js';
import { configInputSchema } from './config-input.js';
import { configProblems, configWarnings, resolveSettings, type Warning } from './config-rules.js';
import type { ConfigSettings } from './config-types.js';
import { InvalidInputError } from './errors.js';
import { hostPathProblems } from './host-paths.js';
import { problemsFromZod, sortProblems, type Problem } from './problems.js';

/**
 * The per-field schema for an instance cap, built once: building a zod schema costs far more than
 * using it (a release at a busy moment spent most of its validation building this). Caps are few.
 */
const schemas = new Map<number, ReturnType<typeof configInputSchema>>();
function schemaFor(maxInstances: number): ReturnType<typeof configInputSchema> {
  let schema = schemas.get(maxInstances);
  if (!schema) {
    if (schemas.size >= 16) schemas.clear();
    schemas.set(maxInstances, (schema = configInputSchema(maxInstances)));
  }
  return schema;
}

/** Host directories the writer may mount: `<prefix>/<appName>` for each prefix; absent for an admin (any host path). */
export interface HostPathRule {
  prefixes: string[];
  appName: string;
}

/**
 * Checks a configuration input (per-field bounds and cross-field rules, all problems at once) and
 * resolves it against the official image's defaults and the stored secrets. Throws InvalidInputError.
 */
export function validateConfig(
  input: ConfigInput,
  current: ConfigSettings | null,
  maxInstances: number,
  at: string[],
  hostPaths?: HostPathRule | null,
): { settings: ConfigSettings; warnings: Warning[] } {
  const parsed = schemaFor(maxInstances).safeParse(input);
  const problems = [...(parsed.success ? [] : problemsFromZod(parsed.error, at)), ...configProblems(input, current, at)];
  if (hostPaths) problems.push(...hostPathProblems(input.directoryMounts ?? [], hostPaths.prefixes, hostPaths.appName, at, current?.directoryMounts ?? []));
  if (problems.length > 0) throw new InvalidInputError(sortProblems(problems));
  const settings = resolveSettings(input, current);
  return { settings, warnings: configWarnings(settings, []) };
}

/**
 * Every rule of a written configuration, applied to one that is already stored (a draft, a
 * template, a revision): one stored before a rule existed may break it, and must be refused with
 * its problems before anything reaches a cluster. Paths are relative to the configuration.
 */
export function storedConfigProblems(settings: ConfigSettings, at: (string | number)[] = []): Problem[] {
  const parsed = schemaFor(Number.MAX_SAFE_INTEGER).safeParse(settings);
  const problems = [...(parsed.success ? [] : problemsFromZod(parsed.error, at)), ...configProblems(settings, settings, at, { stored: true })];
  // A draft may still lack its image (a new environment's does); releasing it says so (draftProblems).
  const imagePath = [...at, 'image'].map(String).join('.');
  return sortProblems(problems.filter((p) => !(p.code === 'REQUIRED' && p.path.join('.') === imagePath)));
}
