/**
 * The audit trail's entries as the API shows them (`auditLog`, `node(id:)`): who did what, when, on
 * what, with which input (secrets masked) and how it ended.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { mayReadAuditOf } from '../audit/visibility.js';
import { AUDIT_OUTCOMES, type AuditEntryRow, type AuditOutcome } from '../db/auth-tables.js';
import { ACCESS } from './access-text.js';
import { ADMIN_ONLY } from './auth-rules.js';
import { builder } from './builder.js';
import { loadersOf } from './loaders.js';
import { AppRef } from './refs.js';
import { roleOnOwnApp } from '../live/fanout/viewer-reads.js';

const outcomeDescriptions: Record<AuditOutcome, string> = {
  SUCCEEDED: 'The action was done.',
  FAILED: 'The action was refused or failed; `errorCode` and `message` say why (INTERNAL: an unexpected error, without details).',
  DENIED: 'The caller lacked the role for it (FORBIDDEN); nothing was done.',
};

export const AuditOutcomeEnum = builder.enumType('AuditOutcome', {
  description: 'How an audited action ended.',
  values: Object.fromEntries(AUDIT_OUTCOMES.map((o) => [o, { description: outcomeDescriptions[o] }])) as Record<AuditOutcome, { description: string }>,
});

const AuditActorRef = builder.objectRef<AuditEntryRow>('AuditActor').implement({
  description: 'Who acted: the API token the request carried.',
  // Reached only through AuditEntry.actor, whose type rule checked the caller.
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('actorName', { description: 'The token\'s name (kept even after the token is revoked).' }),
    tokenId: t.id({
      nullable: true,
      description: 'The token\'s global ID (an `ApiToken` id); null when the action came from within cairn rather than through a token.',
      resolve: (e) => (e.actorTokenId === null ? null : encodeGlobalID('ApiToken', String(e.actorTokenId))),
    }),
  }),
});

export const AuditEntryRef = builder.objectRef<AuditEntryRow>('AuditEntry');

builder.node(AuditEntryRef, {
  extensions: roleOnOwnApp('its scope rule and loader check the caller\'s role on the entry\'s own app'),
  description:
    'One entry of the audit trail: a mutation (any outcome, denials included) or a line typed into a terminal (`terminalCommand`). Admins read every entry; an app\'s owners read that app\'s.',
  // However it is reached (auditLog, node(id:)): admins, or an owner of the entry's app.
  authScopes: (entry, ctx) => mayReadAuditOf(ctx.viewer, entry.appId),
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'actorName' in v && 'outcome' in v,
  id: { resolve: (e) => e.id },
  loadOne: async (id, ctx) => {
    const entry = (await ctx.repos.audit.byIds([Number(id)]))[0];
    // Not readable answers as an ID that names nothing.
    return entry && mayReadAuditOf(ctx.viewer, entry.appId) ? entry : null;
  },
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When the action was asked for.', resolve: (e) => e.at }),
    actor: t.field({ type: AuditActorRef, description: 'Who acted.', resolve: (e) => e } ),
    action: t.exposeString('action', { description: 'What was done: the mutation\'s name (e.g. `createReleaseOrder`, `execInInstance`), or `terminalCommand` for a line typed into a terminal.' }),
    target: t.id({
      nullable: true,
      description: 'The global ID of the object acted on: the one the input names (its `id` first), the created object for a create, the Instance for terminal lines; null when there is none.',
      resolve: (e) => e.targetId,
    }),
    appId: t.id({
      nullable: true,
      description: 'The global ID of the app the target belongs to (kept after the app is deleted); null when it belongs to none.',
      resolve: (e) => (e.appId === null ? null : encodeGlobalID('App', String(e.appId))),
    }),
    app: t.field({
      type: AppRef,
      nullable: true,
      description: 'The app the target belongs to; null when none, or when the app was deleted since.',
      resolve: (e, _args, ctx) => (e.appId === null ? null : loadersOf(ctx).app.load(e.appId)),
    }),
    input: t.exposeString('input', {
      description:
        'The input as JSON, secrets masked: values of secret environment variables and of fields named like a secret (password, token …) read "[masked]"; file contents show their size and a hash; keystrokes their size; a terminal line typed at what looked like a password prompt reads "[masked]" (see possiblySecret). At most 8 KB: a larger input reads `{"inputCut": true, "characters": <its length>, "start": "<its first characters>"}`.',
    }),
    possiblySecret: t.exposeBoolean('possiblySecret', {
      description:
        'True for a terminal line typed while the shell\'s output looked like a password prompt: it may be a password, or a command typed after a program printed a fake prompt (cairn cannot see whether the terminal echoed it). `input` shows it masked; admins read the line in `unmaskedInput`.',
    }),
    unmaskedInput: t.string({
      nullable: true,
      description:
        'For an entry marked possiblySecret: the input as typed, as JSON (the line in clear); null for entries not so marked. ' + ACCESS.adminsElseNull,
      authScopes: ADMIN_ONLY,
      unauthorizedResolver: () => null,
      resolve: (e, _args, ctx) => ctx.repos.audit.unmaskedInputOf(e),
    }),
    outcome: t.field({ type: AuditOutcomeEnum, description: 'How it ended.', resolve: (e) => e.outcome }),
    errorCode: t.exposeString('errorCode', {
      nullable: true,
      description: 'Why it did not succeed: an error `code` (INVALID_INPUT, NOT_FOUND …), FORBIDDEN for a denial, INTERNAL for an unexpected error; null on success.',
    }),
    message: t.exposeString('message', { nullable: true, description: 'The error\'s message as the caller saw it; null on success and for unexpected errors.' }),
  }),
});
