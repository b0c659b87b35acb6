import { resolveOffsetConnection } from '@pothos/plugin-relay';
import { AUTHENTICATED } from './auth-rules.js';
import { builder } from './builder.js';
import { byRequestedIds } from './node-order.js';
import { DeploymentSettingsInterface } from './deployment-settings.js';
import { TemplateRef } from './refs.js';

builder.node(TemplateRef, {
  description:
    'A saved deployment configuration without its image tag. applyTemplate loads it into an environment\'s draft and keeps that environment\'s tag.',
  interfaces: [DeploymentSettingsInterface],
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'settings' in v && 'name' in v && !('environmentId' in v),
  authScopes: AUTHENTICATED,
  id: { resolve: (t) => t.id },
  loadMany: (ids, ctx) => byRequestedIds(ids, ctx.repos.templates.byIds(ids.map(Number))),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The template\'s unique name.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the template was saved.', resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'When the template was last renamed or saved.', resolve: (r) => r.updatedAt }),
  }),
});

builder.queryFields((t) => ({
  templates: t.connection(
    {
      type: TemplateRef,
      description: 'The saved configuration templates, ordered by name (any token may read them; only admins change them).',
      authScopes: AUTHENTICATED,
      resolve: (_root, args, ctx) => {
        const totalCount = ctx.repos.templates.count();
        return resolveOffsetConnection({ args, defaultSize: 20, maxSize: 100, totalCount }, ({ offset, limit }) => ctx.repos.templates.list(offset, limit));
      },
    },
    {
      name: 'TemplateConnection',
      description: 'A page of templates.',
      fields: (c) => ({
        totalCount: c.int({ description: 'How many templates there are, over all pages.', resolve: (conn) => (conn as { totalCount?: number }).totalCount ?? 0 }),
      }),
    },
    { name: 'TemplateEdge', description: 'One template of a page, with its cursor.' },
  ),
}));
