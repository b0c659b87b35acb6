import { encodeGlobalID } from '@pothos/plugin-relay';
import { tokenActive, tokenNow } from '../auth/token-admin.js';
import type { ApiTokenRow } from '../db/auth-tables.js';
import type { AppRow } from '../db/tables.js';
import { NotAllowedError, NotFoundError } from '../domain/errors.js';
import { removeAppMember, setAppMember, type Member } from '../usecases/members.js';
import { AppRoleEnum } from './app-role.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { idRef } from './ids.js';
import { loadersOf } from './loaders.js';
import { appRule, idIn, withAccess } from './auth-rules.js';
import { AppRef } from './refs.js';

/** Members are managed by the app's OWNER (and admins); an app ID that names nothing is left to admins. */
const ownerOfInputApp = appRule('OWNER', idIn((a: { input: { app: string | number } }) => String(a.input.app), 'App'));

const AppMemberRef = builder.objectRef<Member>('AppMember').implement({
  description: 'A token with a role on an app. Visible to the app\'s OWNER and admins.',
  authScopes: (m) => ({ app: { id: m.member.appId, role: 'OWNER' } }),
  fields: (t) => ({
    tokenId: t.id({
      description: 'The token\'s global ID (an ApiToken): pass it as `token` to setAppMember and removeAppMember.',
      resolve: (m) => encodeGlobalID('ApiToken', m.token.id),
    }),
    tokenName: t.string({ description: 'The token\'s name.', resolve: (m) => m.token.name }),
    role: t.field({ type: AppRoleEnum, description: 'Its role on the app.', resolve: (m) => m.member.role }),
    since: t.field({ type: 'DateTime', description: 'When the token became a member (a role change keeps this time).', resolve: (m) => m.member.createdAt }),
    tokenActive: t.boolean({
      description: 'Whether the token authenticates requests now (neither revoked nor expired); an inactive member has no effect.',
      resolve: (m) => tokenActive(m.token, tokenNow()),
    }),
  }),
});

/** The app's members with their tokens: one statement for the members of every app of a page, one for their tokens. */
async function membersOf(ctx: Context, appId: number): Promise<Member[]> {
  const loaders = loadersOf(ctx);
  const rows = await loaders.membersOfApp.load(appId);
  const tokens = await loaders.token.loadMany(rows.map((r) => r.tokenId));
  // A token deleted between the two reads takes its membership with it.
  return rows.flatMap((member, i) => {
    const token = tokens[i];
    return token && !(token instanceof Error) ? [{ member, token }] : [];
  });
}

builder.objectFields(AppRef, (t) => ({
  members: t.field({
    type: [AppMemberRef],
    description: 'The tokens with a role on this app, by token (admins act on every app without being members). ' + ACCESS.ownerOfThisApp,
    authScopes: withAccess((app: AppRow) => ({ app: { id: app.id, role: 'OWNER' as const } }), { kind: 'action', role: 'OWNER', unknownIds: 'everyone' }),
    resolve: (app, _args, ctx) => membersOf(ctx, app.id),
  }),
}));

const SetAppMemberInput = builder.inputType('SetAppMemberInput', {
  description: 'A token and the role it gets on an app.',
  fields: (t) => ({
    app: t.id({ required: true, description: 'The app\'s global ID.' }),
    token: t.id({ required: true, description: 'The token\'s global ID (`viewer { token { id } }` tells a token its own).' }),
    role: t.field({ type: AppRoleEnum, required: true, description: 'The role it gets; replaces the role it had.' }),
  }),
});

const RemoveAppMemberInput = builder.inputType('RemoveAppMemberInput', {
  description: 'A token to take off an app.',
  fields: (t) => ({
    app: t.id({ required: true, description: 'The app\'s global ID.' }),
    token: t.id({ required: true, description: 'The token\'s global ID.' }),
  }),
});

const SetAppMemberPayload = builder.objectRef<{ app: AppRow; member: Member }>('SetAppMemberPayload').implement({
  description: 'The member with its new role.',
  authScopes: (p) => ({ app: { id: p.app.id, role: 'OWNER' } }),
  fields: (t) => ({
    app: t.field({ type: AppRef, description: 'The app.', resolve: (p) => p.app }),
    member: t.field({ type: AppMemberRef, description: 'The token\'s membership, with its role.', resolve: (p) => p.member }),
  }),
});

const RemoveAppMemberPayload = builder.objectRef<{ app: AppRow; token: ApiTokenRow }>('RemoveAppMemberPayload').implement({
  description: 'The token is no longer a member of the app.',
  authScopes: (p) => ({ app: { id: p.app.id, role: 'OWNER' } }),
  fields: (t) => ({
    app: t.field({ type: AppRef, description: 'The app.', resolve: (p) => p.app }),
    removedTokenId: t.id({ description: 'The global ID of the token that was removed.', resolve: (p) => encodeGlobalID('ApiToken', p.token.id) }),
  }),
});

builder.mutationFields((t) => ({
  setAppMember: t.field({
    type: SetAppMemberPayload,
    description: 'Gives a token a role on an app, or changes the role it has. Refused (NOT_ALLOWED) for a revoked token, and when it would demote the app\'s last active OWNER. Lowering a role ends the token\'s open subscriptions (it may subscribe again with its new role). ' + ACCESS.owner,
    authScopes: ownerOfInputApp,
    args: { input: t.arg({ type: SetAppMemberInput, required: true, description: 'The app, the token and its role.' }) },
    errors: {
      types: [NotFoundError, NotAllowedError],
      union: { name: 'SetAppMemberResult', description: 'The membership, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) => setAppMember(ctx, idRef(input.app, 'App'), idRef(input.token, 'ApiToken'), input.role),
  }),
  removeAppMember: t.field({
    type: RemoveAppMemberPayload,
    description: 'Takes a token\'s role on an app away; the token\'s open subscriptions end. Refused (NOT_ALLOWED) for the app\'s last active OWNER: make another token OWNER first. NOT_FOUND when the token is no member. ' + ACCESS.owner,
    authScopes: ownerOfInputApp,
    args: { input: t.arg({ type: RemoveAppMemberInput, required: true, description: 'The app and the token.' }) },
    errors: {
      types: [NotFoundError, NotAllowedError],
      union: { name: 'RemoveAppMemberResult', description: 'The app without the member, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) => removeAppMember(ctx, idRef(input.app, 'App'), idRef(input.token, 'ApiToken')),
  }),
}));
