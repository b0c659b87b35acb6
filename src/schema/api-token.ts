import { tokenActive, tokenNow } from '../auth/token-admin.js';
import type { Viewer } from '../auth/roles.js';
import type { ApiTokenRow, AppRoleName } from '../db/auth-tables.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { offsetConnection } from './connections.js';
import { loadersOf } from './loaders.js';
import { AppRoleEnum } from './app-role.js';
import { AppRef } from './refs.js';
import { perViewer } from '../live/fanout/viewer-reads.js';

/** A token's role on one app. */
export interface AppGrant {
  appId: number;
  role: AppRoleName;
}

export const ApiTokenRef = builder.objectRef<ApiTokenRow>('ApiToken');
export const AppGrantRef = builder.objectRef<AppGrant>('AppGrant');
const ViewerRef = builder.objectRef<Viewer>('Viewer');

AppGrantRef.implement({
  description: 'A token\'s role on one app.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    app: t.loadable({
      type: AppRef,
      description: 'The app.',
      load: async (ids: number[], ctx) => {
        const byId = new Map((await ctx.repos.apps.byIds(ids)).map((a) => [a.id, a]));
        return ids.map((id) => byId.get(id) ?? new Error(`no app ${id}`));
      },
      resolve: (g) => g.appId,
    }),
    role: t.field({ type: AppRoleEnum, description: 'The token\'s role on the app.', resolve: (g) => g.role }),
  }),
});

builder.node(ApiTokenRef, {
  extensions: perViewer('a token sees itself: its scope rule and loader compare the caller\'s token id'),
  description:
    'An API token: who calls cairn. Only its hash is stored; the secret itself was shown once, by createApiToken (or the command line). Visible to admins, and to the token itself.',
  // Admins see every token; any token sees itself (viewer.token).
  authScopes: (token, ctx) => (ctx.viewer?.tokenId === token.id ? true : { admin: true }),
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'secretHash' in v,
  id: { resolve: (tok) => tok.id },
  // In the order asked; another token than the caller's is, for a non-admin, null as if it did not exist.
  loadMany: async (ids, ctx) => {
    const rows = new Map((await ctx.repos.tokens.byIds(ids.map(Number))).map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = rows.get(Number(id));
      return row && (ctx.viewer?.admin || ctx.viewer?.tokenId === row.id) ? row : null;
    });
  },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The token\'s unique name: the actor recorded in release histories and the audit log. Never reused, even after revocation.' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret (e.g. `cairn_AbCd`), to recognise a token; never the secret.' }),
    admin: t.exposeBoolean('admin', { description: 'Admin tokens may do everything: manage tokens and templates, and act on every app.' }),
    grants: t.field({
      type: [AppGrantRef],
      description: 'The token\'s roles on apps (its memberships), by app.',
      resolve: async (tok, _args, ctx) => (await loadersOf(ctx).grantsOfToken.load(tok.id)).map((g) => ({ appId: g.appId, role: g.role })),
    }),
    createdBy: t.exposeString('createdBy', { description: 'Who created it: the name of the admin token, or the command line, or the first start.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When it was created.', resolve: (tok) => tok.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, description: 'When it stops working; null when it never expires.', resolve: (tok) => tok.expiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was revoked; null while it is not.', resolve: (tok) => tok.revokedAt }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it last authenticated a request (updated at most once a minute); null when never.',
      resolve: (tok) => tok.lastUsedAt,
    }),
    active: t.boolean({
      description: 'Whether it authenticates requests now: neither revoked nor expired.',
      resolve: (tok) => tokenActive(tok, tokenNow()),
    }),
  }),
});

ViewerRef.implement({
  description: 'The caller: the API token this request was authenticated with, and its roles.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The token\'s name.' }),
    admin: t.exposeBoolean('admin', { description: 'Whether the token is an admin (everything, on every app).' }),
    roles: t.field({
      type: [AppGrantRef],
      description: 'The token\'s roles on apps; empty for an admin without memberships (admins need none).',
      resolve: (v) => [...v.roles].map(([appId, role]) => ({ appId, role })),
    }),
    token: t.field({
      type: ApiTokenRef,
      description: 'The token itself (its global ID, expiry, last use …).',
      resolve: async (v, _args, ctx) => (await ctx.repos.tokens.byId(v.tokenId))!,
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    extensions: perViewer('the caller\'s own token'),
    description: 'The caller: the API token of this request, its name and roles. ' + ACCESS.anyToken,
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => ctx.viewer!,
  }),
  apiTokens: t.connection(
    {
      type: ApiTokenRef,
      description: 'Every API token, revoked and expired ones included, oldest first. ' + ACCESS.admins,
      authScopes: { admin: true },
      resolve: async (_root, args, ctx) => {
        const totalCount = await ctx.repos.tokens.count();
        return offsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount }, async ({ offset, limit }) =>
          (await ctx.repos.tokens.page(0, offset + limit)).slice(offset),
        );
      },
    },
    {
      name: 'ApiTokenConnection',
      description: 'A page of API tokens.',
      authScopes: { admin: true },
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many tokens there are, over all pages.',
          resolve: (conn) => (conn as { totalCount?: number }).totalCount ?? 0,
        }),
      }),
    },
    { name: 'ApiTokenEdge', description: 'One API token of a page, with its cursor.', authScopes: { admin: true } },
  ),
}));
