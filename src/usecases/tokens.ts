/**
 * API tokens through the API: creating one (its secret shown once) and revoking one. The rules
 * shared with the command line live in src/auth (tokens.ts, token-admin.ts); here the API's own:
 * every granted app must exist, the creator is the calling token, a revoked token is announced.
 */
import { tokenSpecProblems, issueToken, type TokenSpec } from '../auth/tokens.js';
import { revokeToken, tokenNow } from '../auth/token-admin.js';
import type { TokenEvents } from '../auth/token-events.js';
import type { ApiTokenRow, AppRoleName } from '../db/auth-tables.js';
import { InvalidInputError } from '../domain/errors.js';
import { sortProblems } from '../domain/problems.js';
import type { Basics, ReposOf } from './deps.js';
import { lookUp, notFound, type IdRef } from './refs.js';

export interface TokensDeps extends Basics {
  repos: ReposOf<'apps' | 'tokens'>;
  /** Told when a token is revoked; absent where no subscriptions are served. */
  tokenEvents?: Pick<TokenEvents, 'revoked' | 'announce'> | undefined;
}

export interface NewTokenInput {
  name: string;
  admin?: boolean | null;
  /** Its roles, at most one per app. */
  grants?: { app: IdRef; role: AppRoleName }[] | null;
  expiresAt?: Date | null;
}

/**
 * Creates a token for `createdBy` (the calling token's name) and returns it with its secret.
 * InvalidInputError with every problem of the spec (expiry judged by the wall clock, as
 * authentication judges it); then NotFoundError at `input.grants.<i>.app` for an app that does not
 * exist; AlreadyExistsError for a taken name.
 */
export async function createApiToken(deps: TokensDeps, input: NewTokenInput, createdBy: string): Promise<{ token: ApiTokenRow; secret: string }> {
  const grants = input.grants ?? [];
  // An app that names nothing gets a placeholder no other grant shares, so duplicates are still found; it is a NotFoundError below.
  const appIds = grants.map((g, i) => g.app.id ?? -(i + 1));
  const spec: TokenSpec = {
    name: input.name,
    admin: input.admin ?? false,
    grants: grants.map((g, i) => ({ appId: appIds[i]!, role: g.role })),
    expiresAt: input.expiresAt ?? null,
  };
  const problems = tokenSpecProblems(spec, tokenNow(), ['input']);
  if (problems.length > 0) throw new InvalidInputError(sortProblems(problems));
  // The apps are looked up in the transaction that grants the roles: an app deleted meanwhile is a NotFoundError, not a
  // broken reference refused by the database.
  const created = await deps.repos.transaction(async () => {
    for (const [i, g] of grants.entries()) {
      if (appIds[i]! < 0 || !(await deps.repos.apps.byIds([appIds[i]!]))[0]) throw notFound('App', g.app, ['input', 'grants', String(i), 'app']);
    }
    return issueToken(deps.repos, spec, createdBy, deps.now());
  });
  deps.logger.info({ tokenId: created.token.id, token: created.token.name, admin: created.token.admin }, 'API token created');
  return created;
}

/**
 * Revokes a token (NotFoundError at `input.id`; NotAllowedError when already revoked or the last
 * active admin); its open subscriptions end and its graphql-ws connections close.
 */
export async function revokeApiToken(deps: TokensDeps, ref: IdRef): Promise<ApiTokenRow> {
  const token = await lookUp(ref, 'ApiToken', ['input', 'id'], (id) => deps.repos.tokens.byId(id));
  // The other replicas are told inside the transaction (they hear it at its commit); this process after it.
  const revoked = await deps.repos.transaction(async () => {
    const row = await revokeToken(deps.repos, token, deps.now());
    await deps.tokenEvents?.announce('revoked', row.id);
    return row;
  });
  deps.tokenEvents?.revoked(revoked.id);
  deps.logger.info({ tokenId: revoked.id, token: revoked.name }, 'API token revoked');
  return revoked;
}
