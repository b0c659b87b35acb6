import { visibleApps } from '../auth/roles.js';
import type { AppRow } from '../db/tables.js';
import type { AppFilter } from '../db/apps-repository.js';
import { AUTHENTICATED, idIn, ownedByApp, readRule } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { offsetConnection } from './connections.js';
import { byRequestedIds } from './node-order.js';
import type { Context } from './context.js';
import { localIdOrNull } from './ids.js';
import { loadersOf } from './loaders.js';
import { AppTypeEnum, DeployMethodEnum, EnvironmentKindEnum } from './enums.js';
import { AppRef, EnvironmentRef } from './refs.js';
import { perViewer } from '../live/fanout/viewer-reads.js';

builder.node(AppRef, {
  description: 'An app: something a team releases, with a production and a test environment on different clusters.',
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'deployMethod' in v,
  authScopes: ownedByApp((a: AppRow) => a.id),
  id: { resolve: (a) => a.id },
  loadMany: async (ids, ctx) => byRequestedIds(ids, await ctx.repos.apps.byIds(ids.map(Number))),
  fields: (t) => ({
    name: t.exposeString('name', {
      description: 'The app\'s unique name (DNS-1123 label, at most 40 characters); part of Kubernetes object names, so it cannot change.',
    }),
    businessType: t.exposeString('businessType', { description: 'The business type (one of the businessTypes query).' }),
    description: t.exposeString('description', { description: 'A free description; empty when none.' }),
    appType: t.field({ type: AppTypeEnum, description: 'STATELESS (a Deployment) or STATEFUL (a StatefulSet); fixed at creation.', resolve: (a) => a.appType }),
    deployMethod: t.field({ type: DeployMethodEnum, description: 'How the app is deployed (container deployment).', resolve: (a) => a.deployMethod }),
    environments: t.field({
      type: [EnvironmentRef],
      description: 'Both environments: production first, then test.',
      resolve: (a, _args, ctx) => loadersOf(ctx).environmentsOfApp.load(a.id),
    }),
    environment: t.field({
      type: EnvironmentRef,
      description: 'One environment of the app, by kind.',
      args: { kind: t.arg({ type: EnvironmentKindEnum, required: true, description: 'PRODUCTION or TEST.' }) },
      resolve: async (a, { kind }, ctx) => (await loadersOf(ctx).environmentsOfApp.load(a.id)).find((e) => e.kind === kind)!,
    }),
    createdAt: t.field({ type: 'DateTime', description: 'When the app was created.', resolve: (a) => a.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'When the app\'s own fields last changed.', resolve: (a) => a.updatedAt }),
  }),
});

builder.queryFields((t) => ({
  app: t.field({
    type: AppRef,
    nullable: true,
    description: 'An app by its global ID; null when there is none, or when the caller has no role on it. ' + ACCESS.read,
    args: { id: t.arg.id({ required: true, description: 'The app\'s global ID.' }) },
    authScopes: readRule(idIn((a: { id: string }) => a.id, 'App')),
    unauthorizedResolver: () => null,
    resolve: async (_root, { id }, ctx) => {
      const local = localIdOrNull(String(id), 'App');
      return local === null ? null : ((await ctx.repos.apps.byIds([local]))[0] ?? null);
    },
  }),
  apps: t.connection(
    {
      type: AppRef,
      extensions: perViewer('the apps the caller has a role on: all its roles'),
      description: 'The apps the caller has a role on (admins: all apps), ordered by name, optionally filtered; every filter given must match. ' + ACCESS.anyToken,
      authScopes: AUTHENTICATED,
      args: {
        namePrefix: t.arg.string({ description: 'Only apps whose name starts with this text.' }),
        businessType: t.arg.string({ description: 'Only apps of this business type.' }),
        appType: t.arg({ type: AppTypeEnum, description: 'Only apps of this type.' }),
      },
      resolve: async (_root, args, ctx) => {
        const filter = { namePrefix: args.namePrefix, businessType: args.businessType, appType: args.appType };
        const visible = visibleApps(ctx.viewer);
        if (visible !== 'all') {
          const rows = await appsAmong(ctx, visible, filter);
          return offsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount: rows.length }, ({ offset, limit }) => rows.slice(offset, offset + limit));
        }
        const totalCount = await ctx.repos.apps.count(filter);
        return offsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount }, ({ offset, limit }) => ctx.repos.apps.list(filter, offset, limit));
      },
    },
    {
      name: 'AppConnection',
      description: 'A page of apps.',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many apps match the filters, over all pages.',
          resolve: (conn) => (conn as { totalCount?: number }).totalCount ?? 0,
        }),
      }),
    },
    { name: 'AppEdge', description: 'One app of a page, with its cursor.' },
  ),
  businessTypes: t.stringList({
    description: 'The business types an app can have (configured with CAIRN_BUSINESS_TYPES). ' + ACCESS.anyToken,
    authScopes: AUTHENTICATED,
    resolve: (_root, _args, ctx) => ctx.config.businessTypes,
  }),
}));

/** The apps among `ids` that match the filter (as the repository's list does), by name: what a token with roles on a few apps sees. */
async function appsAmong(ctx: Context, ids: number[], filter: AppFilter): Promise<AppRow[]> {
  const prefix = filter.namePrefix?.toLowerCase();
  return (await ctx.repos.apps.byIds(ids))
    .filter((a) => (!prefix || a.name.toLowerCase().startsWith(prefix)) && (!filter.businessType || a.businessType === filter.businessType) && (!filter.appType || a.appType === filter.appType))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
