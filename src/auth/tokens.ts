import type { AppRoleName } from '../db/auth-tables.js';
import type { ApiTokenRow } from '../db/auth-tables.js';
import type { Repositories } from '../db/repositories.js';
import { AlreadyExistsError, InvalidInputError } from '../domain/errors.js';
import { problem, type Problem } from '../domain/problems.js';
import { hashTokenSecret, newTokenSecret, secretPrefix } from './secret.js';

/** What a new token is: its name, whether it is an admin, its roles on apps, and when it expires. */
export interface TokenSpec {
  name: string;
  admin: boolean;
  grants: { appId: number; role: AppRoleName }[];
  expiresAt: Date | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/** Every problem with a token spec, paths under `prefix` (e.g. ['input']). */
export function tokenSpecProblems(spec: TokenSpec, now: Date, prefix: string[] = []): Problem[] {
  const problems: Problem[] = [];
  if (!spec.name) problems.push(problem([...prefix, 'name'], 'REQUIRED', 'Give the token a name.'));
  else if (spec.name.length > 100) problems.push(problem([...prefix, 'name'], 'TOO_LONG', 'A token name has at most 100 characters.'));
  else if (!NAME.test(spec.name)) {
    problems.push(
      problem([...prefix, 'name'], 'INVALID_FORMAT', 'A token name starts with a letter or digit and has only letters, digits and . _ @ -.'),
    );
  }
  if (spec.expiresAt && spec.expiresAt.getTime() <= now.getTime()) {
    problems.push(problem([...prefix, 'expiresAt'], 'TOO_SMALL', 'The expiry must lie in the future.'));
  }
  const seen = new Set<number>();
  spec.grants.forEach((g, i) => {
    if (seen.has(g.appId)) problems.push(problem([...prefix, 'grants', String(i), 'app'], 'DUPLICATE', 'This app already has a role in this list.'));
    seen.add(g.appId);
  });
  return problems;
}

/**
 * Creates a token: validates the spec (every problem at once), stores the hash of a fresh secret
 * with the grants, and returns the row and the secret (shown once, never stored).
 */
/** Issues a token; `given` is a secret chosen by the operator (the first admin token from a Secret), else one is generated. */
export async function issueToken(
  repos: Pick<Repositories, 'tokens' | 'transaction'>,
  spec: TokenSpec,
  createdBy: string,
  now: Date,
  given?: string,
): Promise<{ token: ApiTokenRow; secret: string }> {
  const problems = tokenSpecProblems(spec, now, ['input']);
  if (problems.length > 0) throw new InvalidInputError(problems);
  const secret = given ?? newTokenSecret();
  return repos.transaction(async () => {
    if (await repos.tokens.byName(spec.name)) throw new AlreadyExistsError('ApiToken', spec.name, ['input', 'name']);
    const token = await repos.tokens.create(
      { name: spec.name, admin: spec.admin, grants: spec.grants, expiresAt: spec.expiresAt, createdBy, secretHash: hashTokenSecret(secret), prefix: secretPrefix(secret) },
      now,
    );
    return { token, secret };
  });
}
