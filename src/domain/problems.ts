import type { z } from 'zod';

/** Why one input value was refused. */
export const PROBLEM_CODES = [
  'REQUIRED',
  'INVALID_FORMAT',
  'TOO_SMALL',
  'TOO_LARGE',
  'TOO_LONG',
  'DUPLICATE',
  'NESTED_MOUNT',
  'UNKNOWN_VALUE',
  'UNKNOWN_CLUSTER',
  'SAME_CLUSTER',
  'EXACTLY_ONE',
  'NOT_ALLOWED',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** One refused input value: where it is (from the argument name down), why, and in words. */
export interface Problem {
  path: string[];
  code: ProblemCode;
  message: string;
}

export const problem = (path: (string | number)[], code: ProblemCode, message: string): Problem => ({
  path: path.map(String),
  code,
  message,
});

/** Maps zod issues to problems under `prefix` (e.g. ['input']). A custom issue carries its code in params. */
export function problemsFromZod(error: z.core.$ZodError, prefix: (string | number)[]): Problem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => String(p))];
    return problem(path, codeOf(issue), issue.message);
  });
}

function codeOf(issue: z.core.$ZodIssue): ProblemCode {
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1 ? 'REQUIRED' : 'TOO_SMALL';
    case 'too_big':
      return issue.origin === 'string' ? 'TOO_LONG' : 'TOO_LARGE';
    case 'invalid_format':
      return 'INVALID_FORMAT';
    case 'invalid_value':
      return 'UNKNOWN_VALUE';
    case 'custom': {
      const code = (issue.params as { code?: ProblemCode } | undefined)?.code;
      return code ?? 'INVALID_FORMAT';
    }
    case 'invalid_type':
      return 'REQUIRED';
    default:
      return 'INVALID_FORMAT';
  }
}

/** Sorts problems by path (stable, input order) and keeps one problem per path and code. */
export function sortProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.path.join('\u0000')}|${p.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.path.join('.').localeCompare(b.path.join('.'), 'en', { numeric: true }));
}
