import type { TokenSpec } from '../../src/auth/tokens.js';
import { issueToken } from '../../src/auth/tokens.js';
import type { Repositories } from '../../src/db/repositories.js';

/** Issues a token straight into the database (as the CLI does) and returns its secret. Admin by default. */
export function issueTestToken(repos: Repositories, spec: Partial<TokenSpec> = {}): string {
  const name = spec.name ?? `test-${Math.random().toString(36).slice(2, 10)}`;
  return issueToken(repos, { name, admin: spec.admin ?? !spec.grants, grants: spec.grants ?? [], expiresAt: spec.expiresAt ?? null }, 'test', new Date()).secret;
}

/** The header that carries a token. */
export const bearer = (secret: string): Record<string, string> => ({ authorization: `Bearer ${secret}` });
