import type { TokenSpec } from '../../src/auth/tokens.js';
import { issueToken } from '../../src/auth/tokens.js';
import { hashTokenSecret } from '../../src/auth/secret.js';
import type { Repositories } from '../../src/db/repositories.js';

/** Issues a token straight into the database (as the CLI does) and returns its secret. Admin by default. */
export async function issueTestToken(repos: Repositories, spec: Partial<TokenSpec> = {}): Promise<string> {
  const name = spec.name ?? `test-${Math.random().toString(36).slice(2, 10)}`;
  return (await issueToken(repos, { name, admin: spec.admin ?? !spec.grants, grants: spec.grants ?? [], expiresAt: spec.expiresAt ?? null }, 'test', new Date())).secret;
}

/** The header that carries a token. */
export const bearer = (secret: string): Record<string, string> => ({ authorization: `Bearer ${secret}` });

/** The secret of the admin token `namedAdminToken` creates for `name` (derived from the name). */
export const namedAdminSecret = (name: string): string => `cairn_test-${name}`;

/**
 * An admin token named `name` whose secret is derived from the name, created unless it exists: the
 * same call gives the same working token after a restart on the same database.
 */
export async function namedAdminToken(repos: Repositories, name: string): Promise<string> {
  const secret = namedAdminSecret(name);
  if (!(await repos.tokens.byName(name))) {
    await repos.tokens.create({ name, admin: true, grants: [], expiresAt: null, createdBy: 'test', secretHash: hashTokenSecret(secret), prefix: secret.slice(0, 10) }, new Date());
  }
  return secret;
}
