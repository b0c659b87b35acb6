import type { ApiTokenRow, AppMemberRow, AppRoleName } from '../db/auth-tables.js';
import type { Repositories } from '../db/repositories.js';
import { NotAllowedError } from '../domain/errors.js';

/** The repositories token management uses: tokens and members, in a transaction. */
export type TokenRepos = Pick<Repositories, 'tokens' | 'transaction'>;

/**
 * The rules of token management that the API and the command line share: revoking a token and
 * changing an app's members. Callers have already checked who may act (admin, or the app's owner)
 * and that the objects exist.
 */

/**
 * The time by which token expiry is judged: the wall clock, as authentication judges it
 * (src/server/context-factory.ts), not the resolvers' injectable `now`, so that `active` always
 * says whether the token's next request is accepted.
 */
export const tokenNow = (): Date => new Date();

/** Whether a token can still authenticate: not revoked and not expired at `now`. */
export function tokenActive(token: Pick<ApiTokenRow, 'revokedAt' | 'expiresAt'>, now: Date): boolean {
  return !token.revokedAt && !(token.expiresAt && token.expiresAt.getTime() <= now.getTime());
}

/** Every token that is an admin and still active at `now` (few: tokens are read a page at a time). */
export async function activeAdmins(repos: Pick<Repositories, 'tokens'>, now: Date): Promise<ApiTokenRow[]> {
  const admins: ApiTokenRow[] = [];
  for (let afterId = 0; ; ) {
    const page = await repos.tokens.page(afterId, 500);
    admins.push(...page.filter((t) => t.admin && tokenActive(t, now)));
    if (page.length < 500) return admins;
    afterId = page[page.length - 1]!.id;
  }
}

export interface RevokeOptions {
  /**
   * Allow revoking the last active admin token. The API refuses it (nobody could manage tokens
   * through it afterwards); the command line allows it, since it can always create a new one.
   */
  allowLastAdmin?: boolean;
}

/**
 * Revokes a token (stamped `now`), in one transaction: refused (NotAllowedError) when it is already revoked, or
 * when it is the last active admin token (unless allowed). A token may revoke itself.
 */
export function revokeToken(repos: TokenRepos, token: ApiTokenRow, now: Date, options: RevokeOptions = {}): Promise<ApiTokenRow> {
  return repos.transaction(async () => {
    const current = (await repos.tokens.byId(token.id)) ?? token;
    if (current.revokedAt) {
      throw new NotAllowedError(`The API token "${current.name}" was already revoked at ${current.revokedAt.toISOString()}.`);
    }
    if (!options.allowLastAdmin && current.admin && tokenActive(current, tokenNow())) {
      const others = (await activeAdmins(repos, tokenNow())).filter((t) => t.id !== current.id);
      if (others.length === 0) {
        throw new NotAllowedError(
          `The API token "${current.name}" is the last active admin token: revoking it would leave nobody able to manage tokens through the API. Create another admin token first (or use the command line: npm run token -- revoke).`,
        );
      }
    }
    return (await repos.tokens.revoke(current.id, now))!;
  });
}

/** The app's members that hold OWNER through an active token. */
async function activeOwners(repos: Pick<Repositories, 'tokens'>, appId: number, now: Date): Promise<AppMemberRow[]> {
  const owners = (await repos.tokens.membersOf(appId)).filter((m) => m.role === 'OWNER');
  const tokens = new Map((await repos.tokens.byIds(owners.map((m) => m.tokenId))).map((t) => [t.id, t]));
  return owners.filter((m) => {
    const token = tokens.get(m.tokenId);
    return token !== undefined && tokenActive(token, now);
  });
}

/** Refuses a change that would take OWNER from the app's last active owner. */
async function keepAnOwner(repos: Pick<Repositories, 'tokens'>, appId: number, appName: string, token: ApiTokenRow, what: string): Promise<void> {
  const owners = await activeOwners(repos, appId, tokenNow());
  if (owners.length === 1 && owners[0]!.tokenId === token.id) {
    throw new NotAllowedError(
      `The API token "${token.name}" is the last owner of the app "${appName}": ${what} would leave the app without an owner. Make another token OWNER first.`,
    );
  }
}

/**
 * Gives a token a role on an app (adds it as a member or changes its role), in one transaction.
 * Refused for a revoked token, and when it would demote the app's last active OWNER.
 */
export function setMember(repos: TokenRepos, app: { id: number; name: string }, token: ApiTokenRow, role: AppRoleName, now: Date): Promise<AppMemberRow> {
  return repos.transaction(async () => {
    if (token.revokedAt) throw new NotAllowedError(`The API token "${token.name}" is revoked: it cannot become a member of an app.`);
    if (role !== 'OWNER') await keepAnOwner(repos, app.id, app.name, token, `making it ${role}`);
    return repos.tokens.setMember(app.id, token.id, role, now);
  });
}

/**
 * Takes a token's role on an app away, in one transaction. Returns false when it was no member;
 * refused when it is the app's last active OWNER.
 */
export function removeMember(repos: TokenRepos, app: { id: number; name: string }, token: ApiTokenRow): Promise<boolean> {
  return repos.transaction(async () => {
    await keepAnOwner(repos, app.id, app.name, token, 'removing it');
    return repos.tokens.removeMember(app.id, token.id);
  });
}
