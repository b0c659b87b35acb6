import type { ApiTokenRow } from '../db/auth-tables.js';
import { AlreadyExistsError, InvalidInputError, NotAllowedError, NotFoundError } from '../domain/errors.js';
import { createApiToken, revokeApiToken } from '../usecases/tokens.js';
import { ApiTokenRef } from './api-token.js';
import { AppRoleEnum } from './app-role.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { idRef } from './ids.js';
import { perViewer } from '../live/fanout/viewer-reads.js';

const AppGrantInput = builder.inputType('AppGrantInput', {
  description: 'A role on one app.',
  fields: (t) => ({
    app: t.id({ required: true, description: 'The app\'s global ID.' }),
    role: t.field({ type: AppRoleEnum, required: true, description: 'The role on that app.' }),
  }),
});

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  description: 'A new API token: its name, whether it is an admin, its roles on apps and when it expires. cairn makes the secret.',
  fields: (t) => ({
    name: t.string({
      required: true,
      description: 'A unique name (letters, digits and . _ @ -, at most 100 characters, starting with a letter or digit): the actor in histories and the audit log.',
    }),
    admin: t.boolean({ defaultValue: false, description: 'Whether the token is an admin (everything, on every app). Default false.' }),
    grants: t.field({
      type: [AppGrantInput],
      defaultValue: [],
      description: 'Its roles on apps, at most one per app. Default none (it can then only ask `viewer`).',
    }),
    expiresAt: t.field({ type: 'DateTime', description: 'When it stops working (in the future); omit for a token that never expires.' }),
  }),
});

const CreateApiTokenPayload = builder.objectRef<{ token: ApiTokenRow; secret: string }>('CreateApiTokenPayload').implement({
  description: 'The new token and its secret. The secret is shown here once and never again: cairn stores only its hash.',
  authScopes: { admin: true },
  fields: (t) => ({
    token: t.field({ type: ApiTokenRef, description: 'The new token.', resolve: (p) => p.token }),
    secret: t.exposeString('secret', {
      description:
        'The token\'s secret, shown ONCE: store it now (it cannot be read again; a lost secret means a new token). Send it as "Authorization: Bearer <secret>".',
    }),
  }),
});

const RevokeApiTokenInput = builder.inputType('RevokeApiTokenInput', {
  description: 'The token to revoke.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The token\'s global ID.' }) }),
});

const RevokeApiTokenPayload = builder.objectRef<{ token: ApiTokenRow }>('RevokeApiTokenPayload').implement({
  description: 'The revoked token: from now on its requests are refused (401) and its open subscriptions end.',
  authScopes: { admin: true },
  fields: (t) => ({ token: t.field({ type: ApiTokenRef, description: 'The token, with its `revokedAt`.', resolve: (p) => p.token }) }),
});

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayload,
    extensions: perViewer('records the caller\'s name as the creator'),
    description: 'Creates an API token and returns its secret, shown this once only (cairn keeps only a hash). Names are unique and never reused. ' + ACCESS.admins,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true, description: 'The new token.' }) },
    errors: {
      types: [InvalidInputError, AlreadyExistsError, NotFoundError],
      union: { name: 'CreateApiTokenResult', description: 'The new token and its secret, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) => {
      const grants = (input.grants ?? []).map((g) => ({ app: idRef(g.app, 'App'), role: g.role }));
      return createApiToken(ctx, { ...input, grants }, ctx.viewer!.name);
    },
  }),
  revokeApiToken: t.field({
    type: RevokeApiTokenPayload,
    description: 'Revokes an API token: its next requests get 401, its open subscriptions end and its graphql-ws connections close (4403). A token may revoke itself, but not the last active admin token (create another admin first). Revoking twice is NOT_ALLOWED. ' + ACCESS.admins,
    authScopes: { admin: true },
    args: { input: t.arg({ type: RevokeApiTokenInput, required: true, description: 'The token to revoke.' }) },
    errors: {
      types: [NotFoundError, NotAllowedError],
      union: { name: 'RevokeApiTokenResult', description: 'The revoked token, or why it was refused.' },
    },
    resolve: async (_root, { input }, ctx) => ({ token: await revokeApiToken(ctx, idRef(input.id, 'ApiToken')) }),
  }),
}));
