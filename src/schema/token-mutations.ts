import { issueToken, tokenSpecProblems, type TokenSpec } from '../auth/tokens.js';
import { revokeToken, tokenNow } from '../auth/token-admin.js';
import type { ApiTokenRow } from '../db/auth-tables.js';
import { AlreadyExistsError, InvalidInputError, NotAllowedError, NotFoundError } from '../domain/errors.js';
import { sortProblems } from '../domain/problems.js';
import { ApiTokenRef } from './api-token.js';
import { AppRoleEnum } from './app-role.js';
import { builder } from './builder.js';
import { localId, localIdOrNull } from './ids.js';

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
    description:
      'Creates an API token and returns its secret, shown this once only (cairn keeps only a hash). Admins only. Names are unique and never reused.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true, description: 'The new token.' }) },
    errors: {
      types: [InvalidInputError, AlreadyExistsError, NotFoundError],
      union: { name: 'CreateApiTokenResult', description: 'The new token and its secret, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) => {
      const now = ctx.now();
      const grants = input.grants ?? [];
      // A malformed app ID gets a placeholder no other grant shares, so duplicates are still found; it is a NotFoundError below.
      const appIds = grants.map((g, i) => localIdOrNull(String(g.app), 'App') ?? -(i + 1));
      const spec: TokenSpec = {
        name: input.name,
        admin: input.admin ?? false,
        grants: grants.map((g, i) => ({ appId: appIds[i]!, role: g.role })),
        expiresAt: input.expiresAt ?? null,
      };
      // Expiry is judged as authentication judges it (the wall clock); createdAt is stamped with `now`.
      const problems = tokenSpecProblems(spec, tokenNow(), ['input']);
      if (problems.length > 0) throw new InvalidInputError(sortProblems(problems));
      grants.forEach((g, i) => {
        if (appIds[i]! < 0 || !ctx.repos.apps.byIds([appIds[i]!])[0]) throw new NotFoundError('App', String(g.app), ['input', 'grants', String(i), 'app']);
      });
      const created = issueToken(ctx.repos, spec, ctx.viewer!.name, now);
      ctx.logger.info({ tokenId: created.token.id, token: created.token.name, admin: created.token.admin }, 'API token created');
      return created;
    },
  }),
  revokeApiToken: t.field({
    type: RevokeApiTokenPayload,
    description:
      'Revokes an API token: its next requests get 401, its open subscriptions end and its graphql-ws connections close (4403). Admins only. A token may revoke itself, but not the last active admin token (create another admin first). Revoking twice is NOT_ALLOWED.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: RevokeApiTokenInput, required: true, description: 'The token to revoke.' }) },
    errors: {
      types: [NotFoundError, NotAllowedError],
      union: { name: 'RevokeApiTokenResult', description: 'The revoked token, or why it was refused.' },
    },
    resolve: (_root, { input }, ctx) => {
      const path = ['input', 'id'];
      const id = localId(String(input.id), 'ApiToken', path);
      const token = ctx.repos.tokens.byId(id);
      if (!token) throw new NotFoundError('ApiToken', String(input.id), path);
      const revoked = revokeToken(ctx.repos, token, ctx.now());
      ctx.tokenEvents.revoked(revoked.id); // its open subscriptions end, its graphql-ws connections close
      ctx.logger.info({ tokenId: revoked.id, token: revoked.name }, 'API token revoked');
      return { token: revoked };
    },
  }),
}));
