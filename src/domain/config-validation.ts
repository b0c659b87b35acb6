import type { ConfigInput } from './config-input.js';
import { configInputSchema } from './config-input.js';
import { configProblems, configWarnings, resolveSettings, type Warning } from './config-rules.js';
import type { ConfigSettings } from './config-types.js';
import { InvalidInputError } from './errors.js';
import { problemsFromZod, sortProblems } from './problems.js';

/**
 * Checks a configuration input (per-field bounds and cross-field rules, all problems at once) and
 * resolves it against the official image's defaults and the stored secrets. Throws InvalidInputError.
 */
export function validateConfig(
  input: ConfigInput,
  current: ConfigSettings | null,
  maxInstances: number,
  at: string[],
): { settings: ConfigSettings; warnings: Warning[] } {
  const parsed = configInputSchema(maxInstances).safeParse(input);
  const problems = [...(parsed.success ? [] : problemsFromZod(parsed.error, at)), ...configProblems(input, current, at)];
  if (problems.length > 0) throw new InvalidInputError(sortProblems(problems));
  const settings = resolveSettings(input, current);
  return { settings, warnings: configWarnings(settings, []) };
}
