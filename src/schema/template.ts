import { AUTHENTICATED } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { offsetConnection } from './connections.js';
import { loadersOf } from './loaders.js';
import { byRequestedIds } from './node-order.js';
import { DeploymentSettingsInterface } from './deployment-settings.js';
import { AppRef, TemplateRef } from './refs.js';
import { mayReadTemplate, templateScope, templateSourcesOf } from './template-access.js';
import { perViewer } from '../live/fanout/viewer-reads.js';

builder.node(TemplateRef, {
  extensions: perViewer('its loader keeps the templates the caller may read: its roles over every app'),
  description:
    'A saved deployment configuration without its image tag, from one app\'s environment. applyTemplate loads it into an environment\'s draft and keeps that environment\'s tag. It holds that app\'s file contents and environment values, so admins and the OWNERs of the app it was saved from read it; for anyone else it does not exist.',
  interfaces: [DeploymentSettingsInterface],
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'settings' in v && 'name' in v && !('environmentId' in v),
  // However it is reached (templates, node(id:), a mutation's payload): admins, or an OWNER of its source app.
  authScopes: (template) => templateScope(template),
  id: { resolve: (t) => t.id },
  // One the caller may not read answers as an ID that names nothing.
  loadMany: async (ids, ctx) => byRequestedIds(ids, (await ctx.repos.templates.byIds(ids.map(Number))).filter((t) => mayReadTemplate(ctx.viewer, t))),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The template\'s unique name.' }),
    sourceApp: t.field({
      type: AppRef,
      nullable: true,
      description: 'The app whose environment the template was saved from (its OWNERs read and apply the template); null when unknown (saved before cairn kept it) or deleted since: then only admins read it.',
      resolve: (r, _args, ctx) => (r.sourceAppId === null ? null : loadersOf(ctx).app.load(r.sourceAppId)),
    }),
    createdAt: t.field({ type: 'DateTime', description: 'When the template was saved.', resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'When the template was last renamed or saved.', resolve: (r) => r.updatedAt }),
  }),
});

builder.queryFields((t) => ({
  templates: t.connection(
    {
      type: TemplateRef,
      extensions: perViewer('the templates the caller may read: its roles over every app'),
      description: 'The configuration templates the caller may read, ordered by name: every one for an admin, else those saved from the apps where it is OWNER (empty for other tokens). ' + ACCESS.anyToken,
      authScopes: AUTHENTICATED,
      resolve: async (_root, args, ctx) => {
        const sources = templateSourcesOf(ctx.viewer);
        const totalCount = await ctx.repos.templates.count(sources);
        return offsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount }, ({ offset, limit }) => ctx.repos.templates.list(offset, limit, sources));
      },
    },
    {
      name: 'TemplateConnection',
      description: 'A page of templates.',
      fields: (c) => ({
        totalCount: c.int({ description: 'How many templates the caller may read, over all pages.', resolve: (conn) => (conn as { totalCount?: number }).totalCount ?? 0 }),
      }),
    },
    { name: 'TemplateEdge', description: 'One template of a page, with its cursor.' },
  ),
}));
