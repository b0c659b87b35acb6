import { z } from 'zod';
import { echo } from './echo.js';
import { APP_NAME_MAX, DNS_LABEL, dnsLabel } from './names.js';
import { problem, problemsFromZod, type Problem } from './problems.js';

export const DESCRIPTION_MAX = 1000;
export const TEMPLATE_NAME_MAX = 100;

export interface AppRulesContext {
  businessTypes: readonly string[];
  clusterExists: (name: string) => boolean;
}

const description = z.string().max(DESCRIPTION_MAX, `At most ${DESCRIPTION_MAX} characters.`).nullish();

function businessTypeProblems(value: string | null | undefined, ctx: AppRulesContext, at: string[]): Problem[] {
  if (value == null || ctx.businessTypes.includes(value)) return [];
  return [problem(at, 'UNKNOWN_VALUE', `Unknown business type "${echo(value)}"; the businessTypes query lists the allowed ones: ${ctx.businessTypes.join(', ')}.`)];
}

/** Every problem of a createApp input. */
export function createAppProblems(
  input: { name: string; businessType: string; description?: string | null; productionCluster: string; testCluster: string },
  ctx: AppRulesContext,
): Problem[] {
  const at = ['input'];
  // The name starts each object's name: a Service's must start with a letter (a DNS-1035 label).
  const name = dnsLabel(APP_NAME_MAX).refine((n) => !DNS_LABEL.test(n) || /^[a-z]/.test(n), {
    message: "Start with a letter: the app's Services are named after it, and a Service name must start with a letter (a DNS-1035 label).",
    params: { code: 'INVALID_FORMAT' },
  });
  const shape = z.object({ name, description }).safeParse({ name: input.name, description: input.description });
  const problems = shape.success ? [] : problemsFromZod(shape.error, at);
  problems.push(...businessTypeProblems(input.businessType, ctx, [...at, 'businessType']));
  for (const key of ['productionCluster', 'testCluster'] as const) {
    if (!ctx.clusterExists(input[key])) {
      problems.push(problem([...at, key], 'UNKNOWN_CLUSTER', `No cluster is named "${echo(input[key])}"; the clusters query lists them.`));
    }
  }
  if (input.productionCluster === input.testCluster) {
    problems.push(
      problem([...at, 'testCluster'], 'SAME_CLUSTER', 'The production and test environments must run on different clusters; choose another test cluster.'),
    );
  }
  return problems;
}

/** Every problem of an updateApp input. */
export function updateAppProblems(input: { businessType?: string | null; description?: string | null }, ctx: AppRulesContext): Problem[] {
  const at = ['input'];
  const shape = z.object({ description }).safeParse({ description: input.description });
  const problems = shape.success ? [] : problemsFromZod(shape.error, at);
  problems.push(...businessTypeProblems(input.businessType, ctx, [...at, 'businessType']));
  return problems;
}

/** Every problem of a template name. */
export function templateNameProblems(name: string, at: string[]): Problem[] {
  const parsed = z
    .string()
    .trim()
    .min(1, 'Required.')
    .max(TEMPLATE_NAME_MAX, `At most ${TEMPLATE_NAME_MAX} characters.`)
    .safeParse(name);
  return parsed.success ? [] : problemsFromZod(parsed.error, at);
}
