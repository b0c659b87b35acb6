/**
 * An app's members: the API tokens with a role on it. Setting and removing a member run in one
 * transaction with the rules of src/auth/token-admin.ts (shared with the command line): a revoked
 * token becomes no member, and the app keeps an active OWNER. A token whose rights shrink is
 * announced (tokenEvents) once the change is committed, so its open subscriptions end.
 */
import { roleIncludes } from '../auth/roles.js';
import { removeMember, setMember } from '../auth/token-admin.js';
import type { TokenEvents } from '../auth/token-events.js';
import type { ApiTokenRow, AppMemberRow, AppRoleName } from '../db/auth-tables.js';
import type { AppRow } from '../db/tables.js';
import type { Basics, ReposOf } from './deps.js';
import { lookUp, notFound, type IdRef } from './refs.js';

export interface MembersDeps extends Basics {
  repos: ReposOf<'apps' | 'tokens'>;
  /** Told when a token loses rights; absent where no subscriptions are served. */
  tokenEvents?: Pick<TokenEvents, 'rightsReduced' | 'announce'> | undefined;
}

/** A member row with its token. */
export interface Member {
  member: AppMemberRow;
  token: ApiTokenRow;
}

/** The app's members, each with its token. */
export async function membersOf(repos: Pick<ReposOf<'tokens'>, 'tokens'>, appId: number): Promise<Member[]> {
  const rows = await repos.tokens.membersOf(appId);
  const tokens = new Map((await repos.tokens.byIds(rows.map((r) => r.tokenId))).map((tok) => [tok.id, tok]));
  return rows.map((member) => ({ member, token: tokens.get(member.tokenId)! }));
}

/** The app and the token named, or a NotFoundError at the field (`input.app`, `input.token`) that names nothing. */
async function appAndToken(deps: MembersDeps, app: IdRef, token: IdRef): Promise<{ app: AppRow; token: ApiTokenRow }> {
  // One after the other: the app's NotFoundError comes first.
  return {
    app: await lookUp(app, 'App', ['input', 'app'], async (id) => (await deps.repos.apps.byIds([id]))[0]),
    token: await lookUp(token, 'ApiToken', ['input', 'token'], (id) => deps.repos.tokens.byId(id)),
  };
}

/**
 * Gives the token `role` on the app, or changes the role it has. NotFoundError; NotAllowedError
 * for a revoked token, and when it would demote the app's last active OWNER. A lowered role is
 * announced as reduced rights.
 */
export async function setAppMember(deps: MembersDeps, appRef: IdRef, tokenRef: IdRef, role: AppRoleName): Promise<{ app: AppRow; member: Member }> {
  const { app, token, member, before } = await deps.repos.transaction(async () => {
    const { app, token } = await appAndToken(deps, appRef, tokenRef);
    const before = (await deps.repos.tokens.membersOf(app.id)).find((m) => m.tokenId === token.id)?.role;
    const member = await setMember(deps.repos, app, token, role, deps.now());
    // The other replicas hear of a lowered role at the commit; this process after it (below).
    if (before && !roleIncludes(member.role, before)) await deps.tokenEvents?.announce('rightsReduced', token.id);
    return { app, token, before, member };
  });
  // A lowered role ends the token's open subscriptions (they were authorized with the old one).
  if (before && !roleIncludes(member.role, before)) deps.tokenEvents?.rightsReduced(token.id);
  deps.logger.info({ appId: app.id, tokenId: token.id, role: member.role }, 'app member set');
  return { app, member: { member, token } };
}

/**
 * Takes the token's role on the app away; its open subscriptions end. NotFoundError (an AppMember
 * at `input.token` when the token is no member); NotAllowedError for the app's last active OWNER.
 */
export async function removeAppMember(deps: MembersDeps, appRef: IdRef, tokenRef: IdRef): Promise<{ app: AppRow; token: ApiTokenRow }> {
  const { app, token } = await deps.repos.transaction(async () => {
    const found = await appAndToken(deps, appRef, tokenRef);
    if (!(await removeMember(deps.repos, found.app, found.token))) throw notFound('AppMember', tokenRef, ['input', 'token']);
    await deps.tokenEvents?.announce('rightsReduced', found.token.id);
    return found;
  });
  deps.tokenEvents?.rightsReduced(token.id); // its open subscriptions were authorized with the role
  deps.logger.info({ appId: app.id, tokenId: token.id }, 'app member removed');
  return { app, token };
}
